"""One scheduler for the model: ranking, blurbs, chat replies and feature extraction
share one bounded, prioritised queue and one worker thread.

- Priority: a ranking pass goes before any queued blurb or feature job (it still waits
  for the job already running: llama.cpp has one context, and a generation is ~0.5 s).
- Streamed generation is produced by the worker into a buffer, never at the reader's
  pace: a slow SSE client holds nobody's model time.
- Bounded: past `max_queue` waiting jobs a new one is refused with `Overloaded`, which
  callers turn into the candidate order or a 503 with Retry-After.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from enum import IntEnum

from service.errors import Overloaded

_DONE = object()


class Priority(IntEnum):
    RANK = 0
    REPLY = 1
    BLURB = 2
    FEATURES = 3


class ModelScheduler:
    def __init__(self, max_queue: int = 32) -> None:
        self.max_queue = max_queue
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._waiting = 0
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._run, name="model-scheduler", daemon=True)
        self._worker.start()
        self.running: Priority | None = None
        self.done = {p: 0 for p in Priority}

    @property
    def waiting(self) -> int:
        return self._waiting

    def _admit(self) -> None:
        with self._lock:
            if self._waiting >= self.max_queue:
                raise Overloaded(f"{self._waiting} model jobs are waiting", retry_after=1.0)
            self._waiting += 1

    def submit(self, priority: Priority, fn: Callable[[], object]) -> Future:
        """Run fn on the model's worker; its result or exception comes in the future."""
        self._admit()
        fut: Future = Future()
        self._jobs.put((int(priority), next(self._seq), priority, fn, fut))
        return fut

    def call(self, priority: Priority, fn: Callable[[], object]):
        return self.submit(priority, fn).result()

    def stream(self, priority: Priority, produce: Callable[[], Iterator[str]]) -> Iterator[str]:
        """Pieces of `produce()`, generated on the worker into a buffer the caller reads
        at its own pace."""
        buf: queue.Queue = queue.Queue()

        def job() -> None:
            try:
                for piece in produce():
                    buf.put(piece)
            except BaseException as e:  # handed to the reader, raised there
                buf.put(e)
            finally:
                buf.put(_DONE)

        self.submit(priority, job)
        while True:
            piece = buf.get()
            if piece is _DONE:
                return
            if isinstance(piece, BaseException):
                raise piece
            yield piece

    def _run(self) -> None:
        while True:
            _p, _n, priority, fn, fut = self._jobs.get()
            with self._lock:
                self._waiting -= 1
            if not fut.set_running_or_notify_cancel():
                continue
            self.running = priority
            try:
                fut.set_result(fn())
            except BaseException as e:
                fut.set_exception(e)
            finally:
                self.running = None
                self.done[priority] += 1


class ScheduledBackend:
    """An LLM backend whose every model call goes through the scheduler, so the rest of
    the code keeps calling the same protocol."""

    def __init__(self, backend, scheduler: ModelScheduler) -> None:
        self.inner, self.scheduler = backend, scheduler
        self.model_id = backend.model_id
        if not callable(getattr(backend, "hidden_states", None)):
            self.hidden_states = None  # this backend gives none: say so to supports_hidden_states

    def __getattr__(self, name):  # render_chat, count_tokens, tokenize ...: no model time
        return getattr(self.inner, name)

    def label_logprobs(self, prompt: str, labels: list[str]) -> dict[str, float]:
        return self.scheduler.call(Priority.RANK, lambda: self.inner.label_logprobs(prompt, labels))

    def generate(self, prompt: str, max_tokens: int = 64, stop: list[str] | None = None,
                 temperature: float = 0.0, priority: Priority = Priority.BLURB) -> Iterator[str]:
        return self.scheduler.stream(priority, lambda: self.inner.generate(prompt, max_tokens, stop, temperature))

    def hidden_states(self, texts: list[str]):
        return self.scheduler.call(Priority.FEATURES, lambda: self.inner.hidden_states(texts))
