"""Scripted fake LLM for unit tests of prompt, parse and blend logic only: returns what
a test enqueued (or a scoring function's answer) and records every call."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from service.errors import BackendError
from service.llm.base import render_plain


class FakeLLM:
    def __init__(self, model_id: str = "fake",
                 scorer: Callable[[str, list[str]], dict[str, float]] | None = None) -> None:
        self.model_id = model_id
        self.scorer = scorer
        self.scores: list[dict[str, float] | Exception] = []
        self.texts: list[str | Exception] = []
        self.calls: list[tuple[str, str]] = []  # (kind, prompt)

    def render_chat(self, messages, add_generation_prompt: bool = True) -> str:
        return render_plain(messages, add_generation_prompt)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def label_logprobs(self, prompt: str, labels: list[str]) -> dict[str, float]:
        self.calls.append(("score", prompt))
        if self.scores:
            nxt = self.scores.pop(0)
            if isinstance(nxt, Exception):
                raise nxt
            return {lab: nxt.get(lab, -30.0) for lab in labels}
        if self.scorer:
            return self.scorer(prompt, labels)
        raise BackendError("FakeLLM: no scores enqueued")

    def generate(self, prompt: str, max_tokens: int = 64, stop=None, temperature: float = 0.0) -> Iterator[str]:
        self.calls.append(("generate", prompt))
        if not self.texts:
            raise BackendError("FakeLLM: no text enqueued")
        nxt = self.texts.pop(0)
        if isinstance(nxt, Exception):
            raise nxt
        yield from (w + " " for w in nxt.split(" "))
