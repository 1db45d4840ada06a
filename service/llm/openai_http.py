"""An OpenAI-compatible completions server (llama.cpp's `llama-server`,
`python -m llama_cpp.server`, vLLM) for when one machine is not enough.

Ranking needs next-token log-probabilities: we call `/v1/completions` with
`max_tokens=1` and `logprobs=N` (top-N alternatives at the answer position; llama.cpp's
server also honours `n_probs`). A label outside the returned top-N gets the lowest
returned log-probability minus 1, so it ranks below every label the server saw.
Both llama.cpp servers and vLLM return `choices[0].logprobs.top_logprobs`; tested
against `python -m llama_cpp.server` (tests/integration/test_openai_backend.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from service.errors import BackendError
from service.llm.base import render_plain


class OpenAIBackend:
    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 timeout_s: float = 30.0, top_logprobs: int = 20) -> None:
        self.model_id = model
        self.top = top_logprobs
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
        try:
            with self.http.stream("POST", "/v1/completions", json=body) as r:
                r.raise_for_status()
                for line in r.iter_lines():
                    if not line.startswith("data:") or line.strip() == "data: [DONE]":
                        continue
                    yield json.loads(line[5:])["choices"][0].get("text", "")
        except httpx.HTTPError as e:
            raise BackendError(f"LLM server at {self.http.base_url}: {e}") from e
