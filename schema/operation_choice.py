"""A document of several operations must name the one to run (GraphQL spec, GetOperation).

Strawberry ran the first one silently; graphql-core's executor would refuse, but only
after the document was validated and its operation type guessed from the first one.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from schema.errors import BadUserInput


class RequireOperationName(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # `operation_name` falls back to the first operation's: ask for what the client sent.
        if document is not None and context._provided_operation_name is None:
            count = sum(isinstance(node, OperationDefinitionNode) for node in document.definitions)
            if count > 1:
                error = BadUserInput(
                    f"the document holds {count} operations: name the one to run in `operationName`"
                )
                context.pre_execution_errors = [*(context.pre_execution_errors or []), error]
        yield
