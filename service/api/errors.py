"""The one table from domain errors to HTTP answers, for every HTTP surface.

The REST API and the OpenAI-compatible endpoint share it; they differ only where their
protocols do: a request the service cannot use is 422 on the REST API (its schema
errors are 400, its domain checks 422) and 400 on the OpenAI-compatible endpoint, whose
clients expect 400 for every invalid request. A 5xx other than 'busy, retry' is a bug
or a failing backend: it is logged with its traceback and the request id, which the
client is told to quote."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from litestar import Request

from service.api.request_id import request_id
from service.errors import BackendError, InvalidInput, NotFound, NotReady, Overloaded, RecsError

log = logging.getLogger("service.api")


@dataclass(frozen=True)
class Answer:
    status: int         # on the REST API
    openai_status: int  # on the OpenAI-compatible endpoint
    openai_type: str
    code: str | None
    retry: bool         # busy or not ready: a Retry-After header, no traceback


# first match wins: subclasses (StoreUnavailable is a NotReady) before their bases
TABLE: list[tuple[type[RecsError], Answer]] = [
    (NotFound, Answer(404, 404, "invalid_request_error", "not_found", False)),
    (InvalidInput, Answer(422, 400, "invalid_request_error", None, False)),
    (Overloaded, Answer(503, 503, "server_error", "overloaded", True)),
    (NotReady, Answer(503, 503, "server_error", "not_ready", True)),
    (BackendError, Answer(502, 502, "server_error", "backend_error", False)),
]
BUG = Answer(500, 500, "server_error", None, False)


def answer_for(exc: Exception) -> Answer:
    return next((a for kind, a in TABLE if isinstance(exc, kind)), BUG)


def retry_after(exc: Exception) -> dict[str, str]:
    return {"Retry-After": str(max(1, round(getattr(exc, "retry_after", 1.0))))}


def report_5xx(request: Request, exc: Exception, status: int) -> str:
    """Log a 5xx with its traceback; returns the detail the client gets."""
    rid = request_id(request.scope)
    log.error("%d on %s %s (request id %s): %s: %s", status, request.method, request.url.path, rid,
              type(exc).__name__, exc, exc_info=exc)
    detail = str(exc) if isinstance(exc, RecsError) else "internal error"
    return f"{detail}; quote request id {rid} when reporting it"
