"""The OpenAI-compatible backend against a real server: llama-cpp-python's own
(`python -m llama_cpp.server`, needs the `llama-cpp-python[server]` extras)."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from service.llm.openai_http import OpenAIBackend
from service.llm.registry import resolve_model
from tests.integration.api_server import free_port, wait_for

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if importlib.util.find_spec("starlette_context") is None:
        pytest.skip("llama-cpp-python[server] extras are not installed")
    path, _ = resolve_model("smollm2-135m-instruct-q4_1", tmp_path_factory.mktemp("models"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", path, "--port", str(port),
                             "--n_ctx", "2048", "--model_alias", "smol"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/v1/models", timeout=60)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_label_logprobs_over_http_even_when_eos_is_likeliest(server):
    b = OpenAIBackend(server, "smol")
    for prompt in ("Options: A. apple B. banana. Which is yellow? Answer:", "Which is yellow? Answer:"):
        lp = b.label_logprobs(prompt, ["A", "B"])
        assert set(lp) == {"A", "B"} and all(np.isfinite(v) and v <= 0 for v in lp.values())


def test_generate_streams_text(server):
    text = "".join(OpenAIBackend(server, "smol").generate("The capital of France is", max_tokens=8))
    assert text.strip()
