"""One error hierarchy. Domain code raises these with a message that says what to do;
the API and the CLI each translate them in exactly one place."""


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
