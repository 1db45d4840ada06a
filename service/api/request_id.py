"""Every request gets an id: the client's `X-Request-ID` when it sends a sane one, else a
new one. It is returned in the response's `X-Request-ID` header and quoted in the log
line of any 5xx, so a user's report and the server's traceback meet."""

from __future__ import annotations

import re
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
SCOPE_KEY = "recs_request_id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(HEADER.encode(), b"").decode("latin-1")
        rid = given if _SANE.match(given) else uuid.uuid4().hex
        scope[SCOPE_KEY] = rid  # type: ignore[literal-required]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)[HEADER] = rid
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def request_id(scope: Scope) -> str | None:
    return scope.get(SCOPE_KEY)  # type: ignore[call-overload]
