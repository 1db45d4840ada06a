"""Rank prompts in the lab. Listwise prompts (history, candidates) are built by
`LetterLogitReranker`, with every shortened title marked for the reader; the chat's value
prompts (request, attribute, options) by `LLMValuePicker`, through a backend that
records what it is asked to score."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from service.prompt_lab.lab import Lab, setting_env
from service.prompts import PromptFile
from service.rerank.listwise import LetterLogitReranker
from service.types import CandidateRequest, Item


def cut_mark(chars: int) -> str:
    return f"…[cut: {chars} chars, {setting_env('llm', 'text_chars')}]"


@dataclass
class Listwise:
    ranker: LetterLogitReranker
    history: list[Item]  # the latest `history_items`: what the prompt shows
    shown: list[Item]

    def text(self) -> str:
        """Exactly what the model sees."""
        return self.ranker.render(self.history, self.shown)

    def marked(self) -> str:
        """The same, with each shortened title marked where it was cut."""
        return self.ranker.render(self.history, self.shown, cut_mark)

    def cuts(self) -> int:
        """Titles shortened to fit."""
        return sum(self.ranker.line(it) != it.title for it in self.history + self.shown)

    def scores(self) -> tuple[np.ndarray, str, float]:
        """Each shown item's label log-probability (one forward pass), the prompt, ms."""
        rendered: list[str] = []
        t = time.perf_counter()
        lp = self.ranker.position_logprobs(self.history, self.shown, rendered)
        return lp, rendered[0], (time.perf_counter() - t) * 1000


def listwise(lab: Lab, prompt: PromptFile, user: str | None, query: str | None, k: int) -> Listwise:
    """The candidates and history a rank prompt sees for this person or request."""
    s = lab.settings
    res = lab.rec.candidates(CandidateRequest(user_id=user, query=query, k=k), k)
    ids, recent = [c.item_id for c in res.candidates], res.history[-s.llm.history_items:]
    items = lab.rec.store.get_items(ids + recent)
    ranker = LetterLogitReranker(lab.backend(), prompt, history_items=s.llm.history_items,
                                 text_chars=s.llm.text_chars)
    return Listwise(ranker, [items[i] for i in recent if i in items], [items[i] for i in ids if i in items])


@dataclass
class ValueCall:
    attribute: str
    options: list[str]  # the attribute's values, then "none of these"
    prompt: str
    logprobs: dict[str, float]
    latency_ms: float


class _Recorder:
    """A backend stand-in that keeps every (prompt, labels) it is asked to score; with
    `score` False it answers zeros without running the model (render)."""

    def __init__(self, backend, score: bool) -> None:
        self.backend, self.score = backend, score
        self.model_id = backend.model_id
        self.calls: list[tuple[str, dict[str, float], float]] = []

    def render_chat(self, messages, add_generation_prompt: bool = True) -> str:
        return self.backend.render_chat(messages, add_generation_prompt)

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)

    def label_logprobs(self, prompt: str, labels: list[str]) -> dict[str, float]:
        t = time.perf_counter()
        lp = self.backend.label_logprobs(prompt, labels) if self.score else dict.fromkeys(labels, 0.0)
        self.calls.append((prompt, lp, (time.perf_counter() - t) * 1000))
        return lp


def value_calls(lab: Lab, prompt: PromptFile, query: str, score: bool,
                model: str | None = None) -> tuple[list[ValueCall], list]:
    """The prompts `LLMValuePicker` sends for a chat request (one per small attribute of
    the catalog), and with `score` what the model (`model`, default the lab's) answers and
    what the chat would take."""
    from service.chat import Chat
    from service.chat.llm_intent import LLMValuePicker, small_attributes

    vocab = Chat(lab.rec, lab.rec.facts_explainer).vocabulary()
    recorder = _Recorder(lab.backend(model), score)
    picker = LLMValuePicker(recorder, vocab, lab.settings.chat.llm_values_min_prob)
    picker.prompt = prompt
    picked = picker.pick(query)
    attrs = list(small_attributes(vocab).items())  # the order `pick` asks in
    calls = [ValueCall(attr, [*values, "none of these"], text, lp, ms)
             for (attr, values), (text, lp, ms) in zip(attrs, recorder.calls)]
    return calls, picked
