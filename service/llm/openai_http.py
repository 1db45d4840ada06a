"""An OpenAI-compatible completions server (llama.cpp's `llama-server`,
`python -m llama_cpp.server`, vLLM) for when one machine is not enough.

Ranking needs next-token log-probabilities: we call `/v1/completions` with
`max_tokens=1` and `logprobs=N` (top-N alternatives at the answer position; llama.cpp's
server also honours `n_probs`). A label outside the returned top-N gets the lowest
returned log-probability minus 1, so it ranks below every label the server saw.
Both llama.cpp servers and vLLM return `choices[0].logprobs.top_logprobs`; tested
against `python -m llama_cpp.server` (tests/integration/test_openai_backend.py).

An answer's blurbs go out as concurrent streamed requests (`generate_batch`, at most
`parallel` at once): a server that batches requests (vLLM, `llama-server --parallel N`)
writes them together, one that serialises them writes them one after another as before.

A streamed completion that ends without a `finish_reason`, or whose connection closes
mid-way, was cut short: by default `llama_cpp.server` ends a stream as soon as another
request arrives
(`--interrupt_requests False` turns that off). Such text is never used (`Interrupted`),
and after the first one the backend sends its requests one at a time."""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx

from service.errors import BackendError
from service.llm.base import render_plain

log = logging.getLogger(__name__)


class Interrupted(BackendError):
    """The server ended a streamed completion before it finished."""


class OpenAIBackend:
    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 timeout_s: float = 30.0, top_logprobs: int = 20, parallel: int = 8) -> None:
        self.model_id = model
        self.top, self.parallel = top_logprobs, max(1, parallel)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)

    def render_chat(self, messages, add_generation_prompt: bool = True) -> str:
        return render_plain(messages, add_generation_prompt)

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)  # servers differ; an estimate for logs only

    def _post(self, body: dict) -> dict:
        try:
            r = self.http.post("/v1/completions", json={"model": self.model_id, **body})
            r.raise_for_status()
            return r.json()
        except (httpx.HTTPError, ValueError) as e:
            raise BackendError(f"LLM server at {self.http.base_url}: {e}") from e

    def label_logprobs(self, prompt: str, labels: list[str]) -> dict[str, float]:
        # min_tokens / ignore_eos: if end-of-text were the likeliest next token, servers
        # would stop before reporting any log-probabilities (seen with llama-cpp-python).
        data = self._post({"prompt": prompt, "max_tokens": 1, "min_tokens": 1, "ignore_eos": True,
                           "temperature": 0.0, "logprobs": self.top, "n_probs": self.top})
        try:
            top = data["choices"][0]["logprobs"]["top_logprobs"][0]
        except (KeyError, IndexError, TypeError) as e:
            raise BackendError("LLM server returned no top_logprobs; it must support logprobs") from e
        seen: dict[str, float] = {}
        for tok, lp in top.items():
            key = tok.strip()
            seen[key] = max(seen.get(key, -1e9), float(lp))
        floor = min(seen.values(), default=-20.0) - 1.0
        return {lab: seen.get(lab, floor) for lab in labels}

    def generate(self, prompt: str, max_tokens: int = 64, stop=None, temperature: float = 0.0) -> Iterator[str]:
        body = {"model": self.model_id, "prompt": prompt, "max_tokens": max_tokens,
                "temperature": temperature, "stop": stop, "stream": True}
        finished = False
        try:
            with self.http.stream("POST", "/v1/completions", json=body) as r:
                r.raise_for_status()
                for line in r.iter_lines():
                    if not line.startswith("data:") or line.strip() == "data: [DONE]":
                        continue
                    choice = json.loads(line[5:])["choices"][0]
                    finished = finished or bool(choice.get("finish_reason"))
                    if choice.get("text"):
                        yield choice["text"]
        except httpx.RemoteProtocolError as e:  # the server closed the stream mid-way
            raise self._interrupted(f"({e})") from e
        except (httpx.HTTPError, ValueError, LookupError, TypeError) as e:
            raise BackendError(f"LLM server at {self.http.base_url}: {e}") from e
        if not finished:
            raise self._interrupted("(no finish_reason)")

    def _interrupted(self, how: str) -> Interrupted:
        return Interrupted(f"LLM server at {self.http.base_url} ended a completion before it finished {how}: another "
                           "request interrupted it? start llama_cpp.server with --interrupt_requests False")

    def generate_batch(self, prompts: list[str], max_tokens: int = 64, stop=None, temperature: float = 0.0
                       ) -> Iterator[tuple[int, str | None]]:
        """Several completions as concurrent streamed requests: (index, piece) as pieces
        arrive and (index, None) when one ends. A failed request raises BackendError here;
        if the reader stops early, the requests still open end at their next piece."""
        pieces: queue.Queue = queue.Queue()
        closed = threading.Event()

        def stream(i: int, prompt: str) -> None:
            try:
                for piece in self.generate(prompt, max_tokens, stop, temperature):
                    if closed.is_set():
                        return
                    pieces.put((i, piece))
                pieces.put((i, None))
            except Exception as e:  # the reader waits on this queue: every end must reach it
                pieces.put((i, e if isinstance(e, BackendError) else BackendError(f"LLM request failed: {e!r}")))

        pool = ThreadPoolExecutor(max_workers=min(self.parallel, max(1, len(prompts))), thread_name_prefix="llm-http")
        try:
            for i, prompt in enumerate(prompts):
                pool.submit(stream, i, prompt)
            open_ = len(prompts)
            while open_:
                i, piece = pieces.get()
                if isinstance(piece, Interrupted) and self.parallel > 1:
                    log.warning("%s; from now on one completion at a time (RECS_LLM__PARALLEL=1)", piece)
                    self.parallel = 1
                if isinstance(piece, BackendError):
                    raise piece
                open_ -= piece is None
                yield i, piece
        finally:
            closed.set()
            pool.shutdown(wait=False, cancel_futures=True)
