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
    gate, order = threading.Event(), []
    sched.submit(Priority.BLURB, gate.wait)  # occupies the worker
    time.sleep(0.05)
    futs = [sched.submit(p, lambda p=p: order.append(p)) for p in (Priority.FEATURES, Priority.BLURB, Priority.RANK)]
    gate.set()
    for f in futs:
        f.result(timeout=5)
    assert order == [Priority.RANK, Priority.BLURB, Priority.FEATURES]


def test_a_full_queue_refuses_with_overloaded():
    sched = ModelScheduler(max_queue=1)
    gate = threading.Event()
    sched.submit(Priority.BLURB, gate.wait)
    time.sleep(0.05)  # running, so no longer waiting
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
