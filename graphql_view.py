"""The GraphQL endpoint as Strawberry's ASGI view, speaking GraphQL over HTTP and WebSocket.

- Who calls: the bearer token of the request (HTTP) or of `connection_init` (WebSocket).
- Media types: `Accept: application/graphql-response+json` gets that type, and a request
  that could not run (parse, validation, operation choice) gets 400 (401 for a refused
  token), as the GraphQL-over-HTTP spec says; `application/json` (the default, also for
  `*/*`) gets 200 with the errors, for clients of the older convention.
- Request errors are GraphQL-shaped JSON with an `extensions.code`, never plain text: an
  unknown `operationName`, a subscription sent over HTTP, an unreadable body.
- WebSocket: a `subscribe` that fails to parse or validate gets an `error` message for its
  operation id; the socket and its other subscriptions stay open.
"""

from __future__ import annotations

from typing import Any

import mimeparse
import orjson
from asgi_correlation_id import correlation_id
from cross_web import HTTPException
from graphql import GraphQLError
from starlette import status
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

import playground
from composition import ApiWorker
from schema.context import Context
from schema.errors import BAD_USER_INPUT, UNAUTHENTICATED

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# Ties go to the later entry: `*/*`, or both types at the same q, stay on application/json.
MEDIA_TYPES = [GRAPHQL_RESPONSE, JSON]


def media_type(accept: str | None) -> str:
    """The response type for an `Accept` header; application/json when none fits."""
    return mimeparse.best_match(MEDIA_TYPES, accept or JSON) or JSON


def request_error(message: str, code: str = BAD_USER_INPUT) -> PreExecutionError:
    """A GraphQL request that cannot run, as a result (no `data`) with a coded error."""
    return PreExecutionError(data=None, errors=[GraphQLError(message, extensions={"code": code})])


class KeepSocketOpen(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, but a bad `subscribe` is an `error` for that operation only.

    Strawberry closes the whole socket (4400) on a syntax error or an unknown operation,
    ending every other subscription of the app; the protocol allows an `error` message.
    """

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        return None


class OrdersGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our per-request context and HTTP semantics."""

    graphql_transport_ws_handler_class = KeepSocketOpen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        request = Request(scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as refused:  # Strawberry answers these in plain text
            body = {"errors": [{"message": refused.reason, "extensions": {"code": BAD_USER_INPUT}}]}
            response = Response(
                self.encode_json(body),
                status_code=refused.status_code,
                media_type=media_type(request.headers.get("accept")),
            )
        await response(scope, receive, send)
        return None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        worker: ApiWorker = request.app.state.worker
        context = Context(
            api=worker.api, request=request, response=response, request_id=correlation_id.get()
        )
        # HTTP: the header. WebSocket: the header of the upgrade request (non-browser
        # clients), replaced by the `connection_init` payload's (`on_ws_connect`).
        context.authenticate(worker.api.tokens, request.headers.get("authorization"))
        return context

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        value = params.get("Authorization", params.get("authorization"))
        if value is not None:
            context.authenticate(
                context.api.tokens, value if isinstance(value, str) else repr(value)
            )

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Subscriptions run over the WebSocket only: over HTTP they are request errors.
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError:
            return request_error(f"no operation named {request_data.operation_name!r}")
        except InvalidOperationTypeError as refused:
            if refused.operation_type == OperationType.SUBSCRIPTION:
                return request_error(
                    "subscriptions run over the WebSocket at /graphql (graphql-transport-ws)"
                )
            return request_error(refused.as_http_error_reason(request_adapter.method))
        except MissingQueryError:
            raise HTTPException(400, "no GraphQL query found in the request") from None

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if isinstance(result, PreExecutionError) and result.errors:
            request.state.request_error = _status_of(result.errors)
            if media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE:
                processed.pop("data", None)  # the request did not run: no data entry at all
        return processed

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            request.state.request_error = None  # set by process_result: the status to send
            sub_response.request = request  # type: ignore[attr-defined]  # for create_response
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        request: Request | None = getattr(sub_response, "request", None)
        media = JSON if request is None else media_type(request.headers.get("accept"))
        failed = None if request is None else request.state.request_error
        code = status.HTTP_200_OK  # application/json, and every batch: errors in the body
        if media == GRAPHQL_RESPONSE and failed is not None and isinstance(response_data, dict):
            code = failed
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or code,
            media_type=media,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> str | bytes:
        # str, not bytes: WebSocket messages must be text frames.
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:  # e.g. a lone surrogate echoed back: json escapes it
            return super().encode_json(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our GraphiQL page: vendored files served here, none from a CDN (playground/).
        return playground.page(request)


def _status_of(errors: list[GraphQLError]) -> int:
    codes = {(error.extensions or {}).get("code") for error in errors}
    if codes == {UNAUTHENTICATED}:
        return status.HTTP_401_UNAUTHORIZED
    return status.HTTP_400_BAD_REQUEST
