"""One scheduler for the model: ranking, blurbs, chat replies and feature extraction
share one bounded, prioritised queue and one worker thread.

- Priority: a ranking pass goes before any queued blurb or feature job (it still waits
  for the job already running: llama.cpp has one context, and a generation is ~0.5 s).
- Streamed generation is produced by the worker into a buffer, never at the reader's
  pace: a slow SSE client holds nobody's model time.
- Below the requests: the worker (and the llama.cpp/OpenMP threads it starts, which
  inherit its priority) runs at a `nice` increment, so on a busy machine the CPU goes to
  request handling first and the model takes what is left.
- Adaptive threads: a job gets all `threads` when the request threads were idle while
  the previous job ran, and one thread when they were busy (`cpu.py`), so an idle server
  writes blurbs at full speed and a busy one keeps a core for ranking.
- Bounded: past `max_queue` waiting jobs a new one is refused with `Overloaded`, which
  callers turn into the candidate order or a 503 with Retry-After.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from enum import IntEnum

from service.errors import Overloaded
from service.llm.chains import generate_each
from service.llm.cpu import CpuShare, request_cpu

log = logging.getLogger(__name__)
_DONE = object()


class Priority(IntEnum):
    RANK = 0
    REPLY = 1
    BLURB = 2
    FEATURES = 3


class ModelScheduler:
    def __init__(self, max_queue: int = 32, nice: int = 0) -> None:
        self.max_queue, self.nice = max_queue, nice
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

    def _lower_priority(self) -> None:
        if self.nice <= 0:
            return
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + self.nice))
        except (OSError, AttributeError) as e:  # not Linux, or not allowed: equal share
            log.warning("could not lower the model thread's priority (%s)", e)

    def _run(self) -> None:
        self._lower_priority()
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


class ThreadPolicy:
    """How many threads the next model job gets: all when requests left the CPU alone
    (below `busy_share` of a core) while the previous job ran, else one. Only the time
    a job runs counts: the CPU a request spends before its own job (parsing, ranking)
    is not competition for that job (counting it cost blurbs a third of their speed on
    an idle server: scripts/bench_blurbs.py)."""

    def __init__(self, threads: int, busy_share: float = 0.1, cpu: CpuShare | None = None) -> None:
        self.threads, self.busy_share = threads, busy_share
        self.cpu = cpu or request_cpu()
        self.chosen = {1: 0, threads: 0}
        self._busy = False

    def __call__(self) -> int:
        self.cpu.share()  # the window starts with this job
        n = 1 if self.threads > 1 and self._busy else self.threads
        self.chosen[n] = self.chosen.get(n, 0) + 1
        return n

    def finished(self) -> None:
        """At the job's end: the request threads' share while it ran decides the next."""
        self._busy = self.cpu.share() > self.busy_share


class ScheduledBackend:
    """An LLM backend whose every model call goes through the scheduler, so the rest of
    the code keeps calling the same protocol."""

    def __init__(self, backend, scheduler: ModelScheduler, threads: ThreadPolicy | None = None) -> None:
        self.inner, self.scheduler, self.policy = backend, scheduler, threads
        self.model_id = backend.model_id
        set_threads = getattr(backend, "set_threads", None)
        self._threads = (threads, set_threads) if threads and callable(set_threads) else None
        if not callable(getattr(backend, "hidden_states", None)):
            self.hidden_states = None  # this backend gives none: say so to supports_hidden_states

    def __getattr__(self, name):  # render_chat, count_tokens, tokenize ...: no model time
        return getattr(self.inner, name)

    def _sized(self, fn: Callable[[], object]) -> Callable[[], object]:
        """fn, run with the thread count the policy picks when the job starts."""
        if self._threads is None:
            return fn
        policy, set_threads = self._threads

        def job():
            set_threads(policy())
            try:
                return fn()
            finally:
                policy.finished()

        return job

    def _sized_stream(self, produce: Callable[[], Iterator]) -> Callable[[], Iterator]:
        """The same for a streamed job: it ends when its last piece is produced."""
        if self._threads is None:
            return produce
        policy, set_threads = self._threads

        def job():
            set_threads(policy())
            try:
                yield from produce()
            finally:
                policy.finished()

        return job

    def label_logprobs(self, prompt: str, labels: list[str]) -> dict[str, float]:
        return self.scheduler.call(Priority.RANK, self._sized(lambda: self.inner.label_logprobs(prompt, labels)))

    def generate(self, prompt: str, max_tokens: int = 64, stop: list[str] | None = None,
                 temperature: float = 0.0, priority: Priority = Priority.BLURB) -> Iterator[str]:
        return self.scheduler.stream(priority, self._sized_stream(
            lambda: self.inner.generate(prompt, max_tokens, stop, temperature)))

    def generate_batch(self, prompts: list[str], max_tokens: int = 64, stop: list[str] | None = None,
                       temperature: float = 0.0, priority: Priority = Priority.BLURB
                       ) -> Iterator[tuple[int, str | None]]:
        return self.scheduler.stream(priority, self._sized_stream(
            lambda: generate_each(self.inner, prompts, max_tokens, stop, temperature)))

    def hidden_states(self, texts: list[str]):
        return self.scheduler.call(Priority.FEATURES, self._sized(lambda: self.inner.hidden_states(texts)))
