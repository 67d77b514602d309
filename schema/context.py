"""The per-request context: what resolvers use (`composition.ApiServices`) plus this request.

Who is calling is decided once per request (HTTP) or per connection (WebSocket, from the
`connection_init` payload): `actor()` is that principal, or raises for a refused token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from identity import ANONYMOUS, Principal
from identity.tokens import InvalidToken, TokenVerifier, bearer

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket

    from composition import ApiServices


@dataclass
class Context:
    api: ApiServices  # the bus, the queries, the live-update feed
    request: Request | WebSocket
    response: Response | WebSocket | None = None
    request_id: str | None = None
    principal: Principal = ANONYMOUS
    token_error: str | None = None  # a token was sent and refused: every operation fails
    connection_params: dict[str, Any] | None = None  # set by Strawberry (WebSocket)

    def authenticate(self, verifier: TokenVerifier, authorization: str | None) -> None:
        """Take the principal from an `Authorization` value (None: anonymous)."""
        try:
            token = bearer(authorization)
            self.principal = ANONYMOUS if token is None else verifier.verify(token)
            self.token_error = None
        except InvalidToken as error:
            self.principal, self.token_error = ANONYMOUS, str(error)

    def actor(self) -> Principal:
        """The calling principal; InvalidToken when the request carried a refused token."""
        if self.token_error is not None:
            raise InvalidToken(self.token_error)
        return self.principal


Info: TypeAlias = strawberry.Info[Context, None]
