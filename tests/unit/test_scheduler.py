"""One scheduler for the model: priorities, a bounded queue, and streams produced into a
buffer so a slow reader holds no model time."""

from __future__ import annotations

import threading
import time

import pytest

from service.errors import Overloaded
from service.llm.fake import FakeLLM
from service.llm.scheduler import ModelScheduler, Priority, ScheduledBackend


def test_a_slow_stream_reader_does_not_hold_the_model():
    fake = FakeLLM(scorer=lambda p, labels: {lab: 0.0 for lab in labels})
    fake.texts.append("one two three four five six")
    backend = ScheduledBackend(fake, ModelScheduler())
    stream = backend.generate("a blurb prompt")
    first = next(stream)  # the reader takes one piece, then stalls
    t = time.perf_counter()
    scores = backend.label_logprobs("a rank prompt", ["A", "B"])
    assert scores == {"A": 0.0, "B": 0.0} and time.perf_counter() - t < 5  # did not wait for the reader
    assert first + "".join(stream) == "one two three four five six "


def test_ranking_jumps_the_queue_of_blurbs_and_features():
    sched = ModelScheduler()
    gate, started, order = threading.Event(), threading.Event(), []
    sched.submit(Priority.BLURB, lambda: (started.set(), gate.wait()))  # occupies the worker
    assert started.wait(timeout=5)  # the worker took it, so the next three queue behind it
    futs = [sched.submit(p, lambda p=p: order.append(p)) for p in (Priority.FEATURES, Priority.BLURB, Priority.RANK)]
    gate.set()
    for f in futs:
        f.result(timeout=5)
    assert order == [Priority.RANK, Priority.BLURB, Priority.FEATURES]


def test_a_full_queue_refuses_with_overloaded():
    sched = ModelScheduler(max_queue=1)
    gate, started = threading.Event(), threading.Event()
    sched.submit(Priority.BLURB, lambda: (started.set(), gate.wait()))
    assert started.wait(timeout=5)  # running, so no longer waiting
    sched.submit(Priority.BLURB, lambda: None)
    with pytest.raises(Overloaded):
        sched.submit(Priority.RANK, lambda: None)
    gate.set()


def test_errors_reach_the_caller_and_the_reader():
    fake = FakeLLM()
    fake.texts.append(RuntimeError("generation broke"))
    backend = ScheduledBackend(fake, ModelScheduler())
    with pytest.raises(RuntimeError, match="generation broke"):
        list(backend.generate("p"))
    assert backend.hidden_states is None  # the fake has none, and says so


def test_the_model_worker_runs_below_request_threads():
    import os
    import threading

    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    s = ModelScheduler(max_queue=4, nice=5)
    worker_nice = s.call(Priority.RANK, lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert worker_nice == min(19, base + 5)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # the caller is untouched


class _CPU:
    def __init__(self, shares):
        self.shares = list(shares)

    def share(self):
        return self.shares.pop(0)


def test_model_jobs_get_one_thread_while_requests_use_the_cpu():
    from service.llm.scheduler import ThreadPolicy

    class Threaded(FakeLLM):
        def __init__(self):
            super().__init__()
            self.threads_seen = []

        def set_threads(self, n):
            self.threads_seen.append(n)

    inner = Threaded()
    inner.scores = [{"A": -1.0}] * 3
    # readings at each job's start and end; the start readings cover the time between
    # jobs (9.9: a request parsing and ranking before its own job) and never count
    cpu = _CPU([9.9, 0.6, 9.9, 0.05, 9.9, 0.0])
    backend = ScheduledBackend(inner, ModelScheduler(max_queue=4), ThreadPolicy(2, cpu=cpu))
    for _ in range(3):
        backend.label_logprobs("Answer: ", ["A", "B"])
    assert inner.threads_seen == [2, 1, 2] and not cpu.shares


def test_request_cpu_sees_this_process_working():
    from service.llm.cpu import request_cpu

    cpu = request_cpu(min_window_s=0.0)
    t = time.process_time()
    while time.process_time() - t < 0.3:
        pass
    assert cpu.share() > 0.3


def test_a_streamed_job_is_measured_until_its_last_piece():
    from service.llm.scheduler import ThreadPolicy

    log = []

    class Logged(FakeLLM):
        def set_threads(self, n):
            log.append(f"threads {n}")

        def generate(self, prompt, max_tokens=64, stop=None, temperature=0.0):
            for piece in super().generate(prompt, max_tokens, stop, temperature):
                log.append("piece")
                yield piece

    class LoggedCPU(_CPU):
        def share(self):
            log.append("cpu")
            return super().share()

    inner = Logged()
    inner.texts = ["one two", "three four"]
    backend = ScheduledBackend(inner, ModelScheduler(max_queue=4), ThreadPolicy(2, cpu=LoggedCPU([0.0, 0.6, 0.0, 0.0])))
    list(backend.generate("Say: "))
    list(backend.generate("Say: "))
    # each job: a reading at its start, its pieces, a reading after the last one
    assert log == ["cpu", "threads 2", "piece", "piece", "cpu", "cpu", "threads 1", "piece", "piece", "cpu"]
