"""Chroma server mode: the same semantic source over HTTP to a real `chroma run` server."""

import shutil
import subprocess
import pytest

from service.pipeline import Recommender
from service.settings import LLMSettings
from service.types import CandidateRequest
from tests.conftest import block_events, catalog
from tests.integration.api_server import free_port, wait_for


@pytest.fixture
def chroma_url(tmp_path):
    if shutil.which("chroma") is None:
        pytest.skip("the chroma CLI comes with chromadb")
    port = free_port()
    proc = subprocess.Popen(["chroma", "run", "--path", str(tmp_path / "srv"), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/api/v2/heartbeat", timeout=30)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_semantic_search_through_a_chroma_server(settings, store, embedder, chroma_url):
    s = settings.model_copy(update={"chroma_url": chroma_url, "llm": LLMSettings(backend="none")})
    store.upsert_items(catalog())
    store.add_events(block_events())
    rec = Recommender(s, store=store, embedder=embedder)
    rec.build_index()
    assert rec.vectors.count() == 12
    assert not (s.chroma_path).exists()  # nothing embedded locally
    out = rec.recommend(CandidateRequest(query="funny animated cartoon for kids", k=3))
    assert all(r.item_id.startswith("k") for r in out)
