"""One error hierarchy, and the one table of what each error means on every surface.
Domain code raises these with a message that says what to do; the REST API, the
OpenAI-compatible endpoint and the CLI each render the table's answer in one place
(`api/errors.py`, `cli/common.py`)."""

from __future__ import annotations

from dataclasses import dataclass


class RecsError(Exception):
    """Base class for every error this service raises on purpose."""


class NotFound(RecsError):
    """A named item, user or resource does not exist."""


class InvalidInput(RecsError):
    """The caller sent something we cannot use; the message says what to fix."""


class NotReady(RecsError):
    """A resource (index, model) is not built or loaded yet."""


class Overloaded(RecsError):
    """Too much work queued; retry later."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackendError(RecsError):
    """An LLM or vector-store backend failed."""


class StoreUnavailable(NotReady):
    """The database behind the store cannot be reached (answered as 503: retry)."""


@dataclass(frozen=True)
class Answer:
    status: int         # on the REST API
    openai_status: int  # on the OpenAI-compatible endpoint
    openai_type: str
    code: str | None
    retry: bool         # busy or not ready: a Retry-After header, no traceback
    exit_code: int      # of the CLI


# first match wins: subclasses (StoreUnavailable is a NotReady) before their bases
TABLE: list[tuple[type[RecsError], Answer]] = [
    (NotFound, Answer(404, 404, "invalid_request_error", "not_found", False, 3)),
    (InvalidInput, Answer(422, 400, "invalid_request_error", None, False, 2)),
    (Overloaded, Answer(503, 503, "server_error", "overloaded", True, 1)),
    (NotReady, Answer(503, 503, "server_error", "not_ready", True, 4)),
    (BackendError, Answer(502, 502, "server_error", "backend_error", False, 1)),
]
BUG = Answer(500, 500, "server_error", None, False, 1)


def answer_for(exc: Exception) -> Answer:
    return next((a for kind, a in TABLE if isinstance(exc, kind)), BUG)
