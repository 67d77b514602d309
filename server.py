"""The ASGI app: Starlette routes around the GraphQL schema, and the lifespan wiring.

The lifespan builds the process's services once (`composition.api_worker`) and keeps
them, typed, on `app.state.worker`; each GraphQL request gets a fresh
`schema.context.Context` around the part resolvers use (`ApiWorker.api`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

import playground
from composition import ApiWorker, api_worker
from database.engine import DatabaseUnavailable, check_ready
from graphql_view import OrdersGraphQL
from http_limits.middleware import RequestLimits
from http_metrics import HttpMetrics, MetricsMiddleware, ProjectorCollector, metrics_endpoint
from logging_setup import LogFormat, configure_logging
from positions import encode_token
from projections import registry
from projections.metrics import ProjectorMetrics
from projections.projector import Projector
from read_model import names
from read_model.mapping_state import mapping_state
from schema.build import build_schema, limits_from
from search_engine.client import SearchUnavailable
from settings import Settings, get_settings

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0  # seconds per readiness check; a hung dependency is not ready
REQUEST_ID_HEADER = "X-Request-ID"  # taken from the client or generated; in logs and events
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # a client's id kept as is; else a new one


def create_app(
    settings: Settings | None = None,
    search_url: str | None = None,
    run_projector: bool | None = None,
) -> Starlette:
    """Build the app; the lifespan connects the services and runs the projector in-process."""
    settings = settings or get_settings()
    url = search_url or settings.search_url
    if url is None:
        raise ValueError("no search engine URL: set SEARCH_URL or start one with `orders serve`")
    projector_on = settings.projector_enabled if run_projector is None else run_projector

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with api_worker(settings, url, run_projector=projector_on) as worker:
            app.state.worker = worker
            yield

    graphql = OrdersGraphQL(
        build_schema(
            settings.query_cache_size,
            settings.query_cache_bytes,
            limits=limits_from(settings),
            production=settings.production,
            max_batch=settings.max_batch_operations,
        ),
        graphql_ide=None if settings.production else "graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        allowed_origins=settings.allowed_origins,  # cross-origin WebSockets, as for CORS
    )
    routes = [
        Route("/graphql", graphql),  # every method: the view refuses others with a JSON 405
        WebSocketRoute("/graphql", graphql),
        playground.route(),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
    ]
    registry = CollectorRegistry()
    routes.append(Route("/metrics", metrics_endpoint(registry), methods=["GET"]))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(MetricsMiddleware, metrics=HttpMetrics(registry)),
            Middleware(
                CorrelationIdMiddleware,
                header_name=REQUEST_ID_HEADER,
                validator=lambda value: REQUEST_ID.fullmatch(value) is not None,
            ),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.allowed_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "accept", REQUEST_ID_HEADER],
                expose_headers=[REQUEST_ID_HEADER],
                max_age=600,
            ),
            # Last, so CORS and request ids apply to its refusals; before any body is read.
            Middleware(
                RequestLimits,
                max_body_bytes=settings.max_body_bytes,
                body_timeout=settings.body_timeout,
                request_timeout=settings.graphql_timeout,
            ),
        ],
    )
    registry.register(ProjectorCollector(lambda: _projector_metrics(app)))
    return app


def app_from_environment() -> Starlette:
    """The app of one `orders serve --workers N` process: settings from the environment."""
    log_format: LogFormat = "text" if os.environ.get("ORDERS_LOG_FORMAT") == "text" else "json"
    configure_logging(os.environ.get("ORDERS_LOG_LEVEL", "INFO"), log_format)
    return create_app()


def _projector_metrics(app: Starlette) -> list[ProjectorMetrics]:
    worker: ApiWorker | None = getattr(app.state, "worker", None)  # None until started
    return [] if worker is None else [p.metrics for p in worker.projectors.values()]


async def health(request: Request) -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    """Readiness: the events table readable and writable and the search engine reachable
    (503 "unavailable" if not, saying which and why); each projection's lag, projector and
    mapping reported (`views`; the order view's also at the top, as before views)."""
    worker: ApiWorker = request.app.state.worker
    database = await _check(lambda: _ping_database(worker))
    search = await _check(lambda: _ping_search(worker))
    views = {name: await _view(worker, name) for name in worker.projectors}
    ok = database["status"] == "ok" and search["status"] == "ok"
    # A degraded projector or an outdated mapping still serves queries (from a stale
    # index): reported, but not a reason to take the instance out of rotation.
    degraded = any(
        view["projector"].get("state") == "degraded" or view["mapping"].get("rebuildNeeded")
        for view in views.values()
    )
    body = {
        "status": ("degraded" if degraded else "ok") if ok else "unavailable",
        "database": database,
        "search": search,
        **views[registry.ORDERS.name],
        "views": views,
    }
    return JSONResponse(body, status_code=200 if ok else 503)


async def _view(worker: ApiWorker, name: str) -> dict[str, Any]:
    projector = worker.projectors[name]
    return {
        "projection": await _check(lambda: _lag(projector)),
        "projector": await _check(lambda: _projector(worker, projector)),
        "mapping": await _check(lambda: _mapping(worker, projector)),
    }


async def _check(probe: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return {"status": "ok", **await probe()}
    except TimeoutError:
        return {"status": "error", "error": f"no answer within {CHECK_TIMEOUT:g}s"}
    except (DatabaseUnavailable, SearchUnavailable) as error:  # our messages: safe to show
        return {"status": "error", "error": type(error).__name__, "reason": str(error)}
    except Exception as error:  # a readiness probe reports failures, it never raises
        return {"status": "error", "error": type(error).__name__}


async def _ping_database(worker: ApiWorker) -> dict[str, Any]:
    # Not just SELECT 1: a file moved away, emptied or made read-only answers that too.
    return await check_ready(worker.engine)


async def _ping_search(worker: ApiWorker) -> dict[str, Any]:
    if not await worker.search.ping():
        raise SearchUnavailable("the search engine did not answer the ping")
    # A node that just (re)started answers the ping before its shards have recovered.
    prefixes = [p.prefix for p in worker.projectors.values()]
    indices = [name for prefix in prefixes for name in (prefix, names.progress_index(prefix))]
    if await worker.search.health(indices) == "red":
        raise SearchUnavailable("the index is not searchable (red: shards missing or recovering)")
    return {"engine": worker.search.engine, "version": worker.search.version}


async def _lag(projector: Projector) -> dict[str, Any]:
    lag = await projector.lag()
    return {
        "behind": lag.events,
        "checkpoint": encode_token(lag.checkpoint),
        "head": encode_token(lag.head),
    }


async def _projector(worker: ApiWorker, projector: Projector) -> dict[str, Any]:
    """This process' projector: active, standby, degraded (retrying) or off."""
    if not worker.projector_running:
        return {"state": "off"}
    health = projector.metrics.health()
    return {"state": health.pop("status"), **health}


async def _mapping(worker: ApiWorker, projector: Projector) -> dict[str, Any]:
    state = await mapping_state(worker.search, projector.prefix, projector.projection.view)
    body: dict[str, Any] = {
        "index": state.index,
        "indexVersion": state.index_version,
        "codeVersion": state.code_version,
        "rebuildNeeded": state.rebuild_needed,
    }
    if state.rebuild_needed:
        body["action"] = state.describe()
    return body
