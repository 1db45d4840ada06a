"""Litestar application factory.

Heavy resources (store, Chroma, CF index, the model) are created once, in a background
thread started by the lifespan, so `/health/live` answers at once and `/health/ready`
turns 200 when everything is loaded. Domain errors are translated to HTTP here, once.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response, asgi, get
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api import metrics
from service.api.mcp import build_mcp
from service.api.openai_compat import OpenAIController
from service.api.playground import InsightController, PlaygroundController, static_router
from service.api.request_id import request_id, request_id_middleware
from service.api.runtime import Runtime
from service.api.routes import (
    ChatController,
    EventsController,
    FeedbackTypesController,
    HealthController,
    ItemsController,
    RecommendationsController,
    UsersController,
)
from service.api.errors import answer_for, report_5xx, retry_after
from service.errors import RecsError
from service.settings import Settings, get_settings


def api_key_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    keys = connection.app.state.runtime.settings.api_keys
    if not keys or handler.opt.get("public"):
        return
    given = connection.headers.get("x-api-key", "")
    auth = connection.headers.get("authorization", "")
    if not given and auth[:7].casefold() == "bearer ":  # what OpenAI clients send
        given = auth[7:].strip()
    if not any(hmac.compare_digest(given.encode(), k.encode()) for k in keys):
        raise NotAuthorizedException("missing or wrong API key (X-API-Key header, or Authorization: Bearer)")


def recs_error_handler(request: Request, exc: RecsError) -> Response:
    a = answer_for(exc)
    if a.status >= 500 and not a.retry:
        return internal_error_handler(request, exc, a.status)
    return Response({"status_code": a.status, "detail": str(exc)}, status_code=a.status,
                    headers=retry_after(exc) if a.retry else {})


def internal_error_handler(request: Request, exc: Exception, status: int = 500) -> Response:
    """A 5xx is a bug (or a failing backend): logged with its traceback and the request
    id, and the client is told the id to quote (`api/errors.py`)."""
    return Response({"status_code": status, "detail": report_5xx(request, exc, status),
                     "request_id": request_id(request.scope)}, status_code=status)


def _mcp_security(settings: Settings):
    """DNS-rebinding protection for /mcp: loopback Host headers only, unless
    `mcp_allowed_hosts` names the hosts a proxy or other machines use."""
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = settings.mcp_allowed_hosts or ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=[f"http://{h}" for h in hosts] + [f"https://{h}" for h in hosts])


def create_app(settings: Settings | None = None, recommender=None) -> Litestar:
    settings = settings or get_settings()
    runtime = Runtime(settings, recommender)

    mcp = build_mcp(runtime)
    mcp_app = mcp.streamable_http_app(streamable_http_path="/", stateless_http=True,
                                      transport_security=_mcp_security(settings))

    @asgi("/mcp", is_mount=True, copy_scope=True)
    async def mcp_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        """MCP over streamable HTTP (tools: recommend, chat, similar_items, record_events, describe_item)."""
        await mcp_app(scope, receive, send)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if runtime.recommender is None:
            threading.Thread(target=runtime.load, name="startup", daemon=True).start()
        else:
            runtime.start_trainer()
        try:
            async with mcp.session_manager.run():
                yield
        finally:
            runtime.stop()
            metrics.process_exited()

    @get("/metrics", sync_to_thread=False, include_in_schema=True)
    def metrics_endpoint() -> Response:
        """Prometheus text format; with several workers, the sum over all of them."""
        return Response(generate_latest(metrics.registry()), media_type=CONTENT_TYPE_LATEST)

    prometheus = PrometheusConfig(app_name="recs", prefix="recs", group_path=True,
                                  exclude=["/metrics", "/health"])
    security = [{"apiKey": []}] if settings.api_keys else None
    app = Litestar(
        route_handlers=[RecommendationsController, ChatController, OpenAIController, ItemsController,
                        EventsController, FeedbackTypesController, UsersController, HealthController,
                        metrics_endpoint, mcp_endpoint, InsightController, PlaygroundController, static_router],
        dependencies={"runtime": Provide(lambda: runtime, sync_to_thread=False)},
        guards=[api_key_guard],
        exception_handlers={RecsError: recs_error_handler, HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler},
        middleware=[request_id_middleware, prometheus.middleware],
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="llm-recs", version="0.1.0", path="/schema", create_examples=False,
            description="Local-first recommendations: CF + semantic candidates reranked by a small local LLM.",
            components=Components(security_schemes={
                "apiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header")}),
            security=security,
        ),
    )
    app.state.runtime = runtime
    return app
