"""A refused token fails the whole operation with UNAUTHENTICATED, before it runs.

Without this, an operation that reads nothing needing a principal (`{ __typename }`)
would succeed with a forged or expired token; a client should learn at once.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from schema.context import Context
from schema.errors import Unauthenticated


class RefuseBadTokens(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and context.token_error is not None:
            errors = self.execution_context.pre_execution_errors or []
            self.execution_context.pre_execution_errors = [
                *errors,
                Unauthenticated(context.token_error),
            ]
        yield
