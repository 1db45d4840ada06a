"""Domain errors as HTTP answers, for every HTTP surface, from the one table in
`service/errors.py`.

The REST API and the OpenAI-compatible endpoint share it; they differ only where their
protocols do: a request the service cannot use is 422 on the REST API (its schema
errors are 400, its domain checks 422) and 400 on the OpenAI-compatible endpoint, whose
clients expect 400 for every invalid request. A 5xx other than 'busy, retry' is a bug
or a failing backend: it is logged with its traceback and the request id, which the
client is told to quote."""

from __future__ import annotations

import logging

from litestar import Request

from service.api.request_id import request_id
from service.errors import BUG, TABLE, Answer, RecsError, answer_for

__all__ = ["BUG", "TABLE", "Answer", "answer_for", "report_5xx", "retry_after"]

log = logging.getLogger("service.api")


def retry_after(exc: Exception) -> dict[str, str]:
    return {"Retry-After": str(max(1, round(getattr(exc, "retry_after", 1.0))))}


def report_5xx(request: Request, exc: Exception, status: int) -> str:
    """Log a 5xx with its traceback; returns the detail the client gets."""
    rid = request_id(request.scope)
    log.error("%d on %s %s (request id %s): %s: %s", status, request.method, request.url.path, rid,
              type(exc).__name__, exc, exc_info=exc)
    detail = str(exc) if isinstance(exc, RecsError) else "internal error"
    return f"{detail}; quote request id {rid} when reporting it"
