"""The per-request context: the process's long-lived services plus this request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket

    from bootstrap import Services
    from queries.change_feed import ChangeFeed


@dataclass
class Context:
    services: Services
    request: Request | WebSocket
    response: Response | WebSocket | None = None
    changes: ChangeFeed | None = None  # the process's live-update feed (subscriptions)


Info: TypeAlias = strawberry.Info[Context, None]
