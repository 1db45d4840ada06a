"""The OpenAI-compatible backend against a real server: llama-cpp-python's own
(`python -m llama_cpp.server`, needs the `llama-cpp-python[server]` extras)."""

import importlib.util
import subprocess
import sys
import threading

import numpy as np
import pytest

from service.llm.openai_http import Interrupted, OpenAIBackend
from service.llm.registry import resolve_model
from tests.integration.api_server import free_port, wait_for

pytestmark = pytest.mark.model


def _start(tmp_path_factory, *extra: str):
    if importlib.util.find_spec("starlette_context") is None:
        pytest.skip("llama-cpp-python[server] extras are not installed")
    path, _ = resolve_model("smollm2-135m-instruct-q4_1", tmp_path_factory.mktemp("models"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", path, "--port", str(port),
                             "--n_ctx", "2048", "--model_alias", "smol", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/v1/models", timeout=60)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """llama_cpp.server as it starts by default: a new request ends the one streaming."""
    yield from _start(tmp_path_factory)


@pytest.fixture(scope="module")
def patient_server(tmp_path_factory):
    yield from _start(tmp_path_factory, "--interrupt_requests", "False")


def test_label_logprobs_over_http_even_when_eos_is_likeliest(server):
    b = OpenAIBackend(server, "smol")
    for prompt in ("Options: A. apple B. banana. Which is yellow? Answer:", "Which is yellow? Answer:"):
        lp = b.label_logprobs(prompt, ["A", "B"])
        assert set(lp) == {"A", "B"} and all(np.isfinite(v) and v <= 0 for v in lp.values())


def test_generate_streams_text(server):
    text = "".join(OpenAIBackend(server, "smol").generate("The capital of France is", max_tokens=8))
    assert text.strip()


COUNTING = "Count from one to one hundred in words: one, two, three,"


def test_a_stream_another_request_cuts_short_raises_instead_of_giving_half_a_text(server):
    backend = OpenAIBackend(server, "smol")
    pieces, ranked = [], threading.Thread(target=lambda: backend.label_logprobs("Answer:", ["A", "B"]))
    with pytest.raises(Interrupted, match="interrupt_requests"):
        for piece in backend.generate(COUNTING, max_tokens=200):
            pieces.append(piece)
            if len(pieces) == 1:
                ranked.start()  # waits for the model: llama_cpp.server ends this stream for it
    ranked.join(timeout=60)
    assert 1 <= len(pieces) < 200


def test_concurrent_completions_equal_one_after_another(patient_server):
    backend = OpenAIBackend(patient_server, "smol", parallel=3)
    prompts = ["The capital of France is", COUNTING, "My favourite fruit is"]
    alone = ["".join(backend.generate(p, max_tokens=12)) for p in prompts]
    together = {i: "" for i in range(3)}
    for i, piece in backend.generate_batch(prompts, max_tokens=12):
        together[i] += piece or ""
    assert [together[i] for i in range(3)] == alone and all(alone)
    assert backend.parallel == 3
