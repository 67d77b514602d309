"""How GraphQL errors are logged: a client's mistake is one INFO line, a fault an ERROR.

A dependency that is down (UNAVAILABLE) is one WARNING line per refused operation.

Strawberry logs every error at ERROR with its traceback, so each typo in a query cost
about 2 KB of log. Here the error is classified as `schema.errors.map_error` will code it
for the client: only INTERNAL_SERVER_ERROR (a fault of ours) keeps the traceback.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.errors import INTERNAL_SERVER_ERROR, UNAVAILABLE, map_error

log = logging.getLogger("orders.graphql")
MESSAGE_CHARS = 300  # a refused request is logged, but not as long as it may be


class OrdersSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        operation = None if execution_context is None else execution_context.operation_name
        for error in errors:
            code = (map_error(error).extensions or {}).get("code", INTERNAL_SERVER_ERROR)
            if code == INTERNAL_SERVER_ERROR:
                log.error(
                    "operation %s failed: %s",
                    operation or "(anonymous)",
                    error.message,
                    exc_info=error.original_error,
                )
            elif code == UNAVAILABLE:  # a dependency is down: news for operators, no traceback
                log.warning(
                    "operation %s unavailable: %s", operation or "(anonymous)", error.message
                )
            else:
                log.info(
                    "operation %s refused: %s %s",
                    operation or "(anonymous)",
                    code,
                    error.message[:MESSAGE_CHARS],
                )
