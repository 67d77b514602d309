"""Every error translation of the GraphQL layer, in one place.

- `CommandRejected` (expected, nothing written) → `userErrors` on the payload.
- Bad cursors, page sizes and consistency tokens → GraphQL error `BAD_USER_INPUT`.
- No valid token where one is needed (`NotSignedIn`, `InvalidToken`) → `UNAUTHENTICATED`;
  a read the principal may not make (`ReadForbidden`) → `FORBIDDEN`.
- A consistency wait that runs out → GraphQL error `CONSISTENCY_TIMEOUT`.
- A dependency out of reach (`DatabaseUnavailable` from the write side's engine,
  `SearchUnavailable` from the search adapter) → `UNAVAILABLE` with a safe message.
- Anything else a resolver raises → masked: a generic message and
  `INTERNAL_SERVER_ERROR`, never a stack trace (the original is logged by Strawberry).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError

from commands import messages
from commands.messages import CommandRejected
from database.engine import DatabaseUnavailable
from identity import NotSignedIn
from identity.tokens import InvalidToken
from queries.consistency import ConsistencyTimeout
from queries.errors import InvalidQuery, ReadForbidden
from search_engine.client import SearchUnavailable

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
CONSISTENCY_TIMEOUT = "CONSISTENCY_TIMEOUT"
UNAVAILABLE = "UNAVAILABLE"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL_MESSAGE = "Internal server error."
# The client may retry; what failed inside stays in the log, not in the answer.
UNAVAILABLE_MESSAGES = {
    DatabaseUnavailable: "The database is unavailable right now; retry later.",
    SearchUnavailable: "The search engine is unavailable right now; retry later.",
}


# The write side's codes, as the GraphQL enum: one list of codes, not two to keep in step.
ErrorCode = strawberry.enum(messages.ErrorCode, name="ErrorCode")


@strawberry.type(description="An expected failure: nothing was written.")
class UserError:
    code: messages.ErrorCode
    message: str
    field: list[str] | None = strawberry.field(
        default=None, description="Path to the input field at fault, from the input's root."
    )


def user_errors(rejected: CommandRejected) -> list[UserError]:
    """A rejected command's errors as payload `userErrors`; field paths in camelCase."""
    return [
        UserError(
            code=messages.ErrorCode(error.code),
            message=error.message,
            field=None if error.field is None else [_camel(str(part)) for part in error.field],
        )
        for error in rejected.errors
    ]


def _camel(name: str) -> str:
    # The write side may name fields in snake_case; GraphQL clients know camelCase.
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class CodedError(GraphQLError):
    """A deliberate GraphQL error whose message is safe to show and whose code is set."""

    code = INTERNAL_SERVER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(CodedError):
    code = BAD_USER_INPUT


class ConsistencyTimeoutError(CodedError):
    code = CONSISTENCY_TIMEOUT


class Unauthenticated(CodedError):
    code = UNAUTHENTICATED


class Forbidden(CodedError):
    code = FORBIDDEN


@contextmanager
def bad_user_input() -> Iterator[None]:
    """Wrap the one call that validates client-supplied values (cursor, `first`, token)."""
    try:
        yield
    except InvalidQuery as error:
        raise BadUserInput(str(error)) from error


@contextmanager
def consistency_timeout() -> Iterator[None]:
    """Wrap a consistency wait: running out of time is the client's signal to retry."""
    try:
        yield
    except ConsistencyTimeout as error:
        raise ConsistencyTimeoutError(
            str(error) or "the index has not caught up to the token in time; retry later"
        ) from error


def map_error(error: GraphQLError) -> GraphQLError:
    """Give every outgoing error an `extensions.code`; mask the unexpected ones."""
    if isinstance(error, CodedError) or isinstance(error.original_error, CodedError):
        return error  # raised on purpose (BadUserInput, ...): message and code are meant
    if isinstance(error.original_error, NotSignedIn | InvalidToken):
        return _with_code(error, UNAUTHENTICATED)  # its message says what to send
    if isinstance(error.original_error, ReadForbidden):  # e.g. a customer asks for sales
        return _with_code(error, FORBIDDEN)
    for kind, message in UNAVAILABLE_MESSAGES.items():
        if isinstance(error.original_error, kind):
            return _coded(error, message, UNAVAILABLE)
    if isinstance(error.original_error, CannotGetOperationTypeError):  # over the WebSocket
        reason = error.original_error.as_http_error_reason()
        return GraphQLError(reason, nodes=error.nodes, extensions={"code": BAD_USER_INPUT})
    if isinstance(error.original_error, InvalidQuery):  # e.g. a subscription's `after`
        return _with_code(error, BAD_USER_INPUT)  # the read side's message is meant for it
    if isinstance(error, GraphQLSyntaxError):
        return _with_code(error, GRAPHQL_PARSE_FAILED)
    if error.path is None and error.original_error is None:  # validation rules, depth limit
        return _with_code(error, GRAPHQL_VALIDATION_FAILED)
    if error.path is None and error.nodes:  # a variable or literal an input type refused
        return _with_code(error, BAD_USER_INPUT)
    return _coded(error, INTERNAL_MESSAGE, INTERNAL_SERVER_ERROR)


def _coded(error: GraphQLError, message: str, code: str) -> GraphQLError:
    """A new error at the same place with our message and code, and nothing of the original."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": code},
    )


def _with_code(error: GraphQLError, code: str) -> GraphQLError:
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


class MaskUnexpectedErrors(MaskErrors):
    """Strawberry's MaskErrors, with `map_error` deciding what each error becomes."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True, error_message=INTERNAL_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return map_error(error)
