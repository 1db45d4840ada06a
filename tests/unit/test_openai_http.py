"""The OpenAI-compatible backend's concurrent completions, against a small real HTTP
server on loopback that streams server-sent events the way completion servers do and
records how many requests it holds at once."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.errors import BackendError
from service.llm.openai_http import Interrupted, OpenAIBackend


class Server:
    """`together`: requests wait at a barrier until that many are in flight (it breaks
    after 60 s, and the request then fails), so a test passes only if the client really
    sent them at once. A prompt containing "cut" is streamed without a finish_reason,
    as llama_cpp.server does when another request interrupts it; "fail" gets a 500."""

    def __init__(self, together: int = 1) -> None:
        self.barrier = threading.Barrier(together, timeout=60) if together > 1 else None
        self.lock, self.in_flight, self.most = threading.Condition(), 0, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.in_flight += 1
                    server.most = max(server.most, server.in_flight)
                try:
                    server.answer(self, body["prompt"])
                finally:
                    with server.lock:
                        server.in_flight -= 1
                        server.lock.notify_all()

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def answer(self, handler: BaseHTTPRequestHandler, prompt: str) -> None:
        if self.barrier is not None:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                handler.send_error(503, "requests did not arrive together")
                return
        if "fail" in prompt:
            handler.send_error(500, "model crashed")
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        words = f"echo {prompt} end".split()
        for n, word in enumerate(words):
            last = n == len(words) - 1 and "cut" not in prompt
            chunk = {"choices": [{"text": " " + word, "finish_reason": "stop" if last else None}]}
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            handler.wfile.flush()
        handler.wfile.write(b"data: [DONE]\n\n")

    def wait_idle(self) -> None:
        """Until no request is in flight (a request the client gave up on may still be
        streaming its last words into a closed socket)."""
        with self.lock:
            assert self.lock.wait_for(lambda: self.in_flight == 0, timeout=60), "a request never ended"

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(together: int = 1) -> Server:
        servers.append(Server(together))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def collect(pieces) -> tuple[dict[int, str], list[int]]:
    texts: dict[int, str] = {}
    ended: list[int] = []
    for i, piece in pieces:
        assert i not in ended, "a piece after its completion ended"
        if piece is None:
            ended.append(i)
        else:
            texts[i] = texts.get(i, "") + piece
    return texts, ended


def test_an_answers_completions_go_out_together(serve):
    server = serve(together=3)
    texts, ended = collect(OpenAIBackend(server.url, "m", parallel=8).generate_batch(["a", "b", "c"]))
    assert texts == {0: " echo a end", 1: " echo b end", 2: " echo c end"}
    assert sorted(ended) == [0, 1, 2] and server.most == 3


def test_no_more_than_parallel_requests_at_once(serve):
    server = serve(together=2)
    texts, ended = collect(OpenAIBackend(server.url, "m", parallel=2).generate_batch(["a", "b", "c", "d"]))
    assert texts == {i: f" echo {p} end" for i, p in enumerate("abcd")} and sorted(ended) == [0, 1, 2, 3]
    assert server.most == 2


def test_a_failed_request_raises_for_the_whole_batch(serve):
    server = serve()
    with pytest.raises(BackendError, match="500"):
        collect(OpenAIBackend(server.url, "m", parallel=1).generate_batch(["a", "fail"]))


def test_a_cut_stream_is_never_text_and_the_backend_then_goes_one_at_a_time(serve):
    server = serve(together=2)
    backend = OpenAIBackend(server.url, "m", parallel=4)
    with pytest.raises(Interrupted, match="interrupt_requests"):
        collect(backend.generate_batch(["cut", "b"]))
    assert backend.parallel == 1
    server.wait_idle()  # the cut batch's other request may still be finishing
    server.barrier, server.most = None, 0  # now a second request in flight would show in `most`
    with pytest.raises(Interrupted):
        "".join(backend.generate("cut"))
    server.wait_idle()
    texts, _ = collect(backend.generate_batch(["a", "b", "c"]))
    assert texts == {0: " echo a end", 1: " echo b end", 2: " echo c end"} and server.most == 1
