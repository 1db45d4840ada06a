"""Listwise reranking from label logits.

One forward pass per candidate order: the prompt lists the user's history, then the
candidates labelled A, B, C...; the log-probability of each label as the next token is
that candidate's score. Position bias is handled two ways, both measured in
`scripts/bench_rerank.py`:
- calibration: subtract each label position's mean log-probability (estimated once per
  model and prompt version, stored with the blend artifact) -- free at request time;
- order averaging: score several candidate orders (original, reversed, seeded
  shuffles) and average -- each order costs only its candidate tokens, since the
  instructions and history are a shared KV prefix.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from service.errors import RecsError
from service.llm.base import LLMBackend
from service.prompts import PromptFile
from service.rerank.base import Fallback, RerankContext, RerankResult, fallback
from service.types import Candidate, Item


def describe(item: Item, chars: int = 60, attributes: bool = False) -> str:
    """A compact one-line description: the title, optionally with the first list
    attribute (genres, authors...), cut at a word boundary. The item-feature recipe
    (`item_features.py`: cached hidden states depend on this exact text); rank prompts
    list items with `LetterLogitReranker.line`, which keeps a title's year."""
    text = item.title
    if attributes:
        for value in item.attributes.values():
            if isinstance(value, list) and value:
                text += " | " + ", ".join(str(v) for v in value[:3])
                break
    if len(text) <= chars:
        return text
    cut = text[:chars].rsplit(" ", 1)[0]
    return cut if cut else text[:chars]


_END_YEAR = re.compile(r"\s*\(\d{4}(?:[-–]\d{0,4})?\)\s*$")
_LOOSE_END = " -–—:;,/&|+"


class Shortened(NamedTuple):
    """A title as a rank prompt shows it; `at`: where `cut` characters were left out."""

    text: str
    at: int = 0
    cut: int = 0


def shorten(title: str, chars: int) -> Shortened:
    """At most `chars` characters of a title, cut at a word boundary and never inside
    the year at its end: 'Twelve Monkeys (a.k.a. 12 Monkeys) (1995)' -> 'Twelve Monkeys
    (1995)' (a parenthesis left open by the cut goes too). The year is kept even when it
    alone is longer than `chars`; so is the first word."""
    title = title.strip()
    if len(title) <= chars:
        return Shortened(title)
    m = _END_YEAR.search(title)
    body, year = (title[: m.start()], title[m.start():].strip()) if m else (title, "")
    budget = max(chars - len(year) - 1, 0) if year else chars
    head = body[: budget + 1]
    space = head.rfind(" ")
    kept = head[:space] if 0 < space <= budget else body.split(" ", 1)[0]
    while kept.count("(") > kept.count(")"):
        kept = kept[: kept.rfind("(")]
    kept = kept.rstrip(_LOOSE_END) or body.split(" ", 1)[0]
    text = f"{kept} {year}" if kept and year else kept or year
    return Shortened(text, len(kept), len(title) - len(text))


def candidate_orders(n: int, count: int, seed: int) -> list[list[int]]:
    orders = [list(range(n))]
    if count > 1:
        orders.append(list(reversed(range(n))))
    rng = random.Random(seed)
    while len(orders) < count:
        o = list(range(n))
        rng.shuffle(o)
        orders.append(o)
    return orders[:count]


class LetterLogitReranker:
    """Zero-shot: the model's label scores alone (position-calibrated)."""

    name = "llm"
    needs_model = True
    fusion = None

    def __init__(self, backend: LLMBackend, prompt: PromptFile, orders: int = 1,
                 calibration: list[float] | None = None, history_items: int = 8,
                 text_chars: int = 60, attributes: bool = False) -> None:
        if prompt.kind != "rank":
            raise ValueError(f"{prompt.ref} is not a rank prompt")
        self.backend, self.prompt = backend, prompt
        self.labels = prompt.labels
        self.orders = max(1, orders)
        self.calibration = np.asarray(calibration if calibration else np.zeros(len(self.labels)))
        self.history_items, self.text_chars = history_items, text_chars
        self.attributes = attributes
        self.depth = len(self.labels)

    @property
    def version(self) -> str:
        return f"llm:{self.prompt.ref}"

    def line(self, item: Item, mark: Callable[[int], str] | None = None) -> str:
        """An item as the prompt lists it: its title shortened to `text_chars` (then its
        first list attribute, when `attributes`). `mark(n)`, when given, is written where
        n characters were cut (for people reading the prompt; the model never sees it)."""
        short = shorten(item.title, self.text_chars)
        text = short.text
        if mark is not None and short.cut:
            text = text[: short.at] + mark(short.cut) + text[short.at:]
        if self.attributes:
            for value in item.attributes.values():
                if isinstance(value, list) and value:
                    return f"{text} | {', '.join(str(v) for v in value[:3])}"
        return text

    def render(self, history: list[Item], shown: list[Item], mark: Callable[[int], str] | None = None) -> str:
        d = lambda it: self.line(it, mark)  # noqa: E731
        hist = "\n".join(f"- {d(it)}" for it in history[-self.history_items:]) or "- (nothing yet)"
        cands = "\n".join(f"{lab}. {d(it)}" for lab, it in zip(self.labels, shown))
        return self.backend.render_chat(self.prompt.messages(history=hist, candidates=cands))

    def position_logprobs(self, history: list[Item], shown: list[Item],
                          rendered: list[str] | None = None) -> np.ndarray:
        """Log-probability of each shown position's label (one forward pass)."""
        labels = self.labels[: len(shown)]
        prompt = self.render(history, shown)
        if rendered is not None:
            rendered.append(prompt)
        lp = self.backend.label_logprobs(prompt, labels)
        return np.array([lp[lab] for lab in labels])

    def rerank(self, context: RerankContext, candidates: list[Candidate],
               budget_s: float | None = None) -> RerankResult:
        t0 = time.perf_counter()
        items, history = context.items, context.history_items(self.history_items)
        head = [c for c in candidates[: len(self.labels)] if c.item_id in items]
        tail = [c for c in candidates if c not in head]
        if len(head) < 2:
            return fallback(candidates, "fewer than two candidates to rank", self.prompt.ref, kind=Fallback.TOO_FEW)
        seed = int(hashlib.sha1("|".join(c.item_id for c in head).encode()).hexdigest()[:8], 16)
        total = np.zeros(len(head))
        done = 0
        rendered: list[str] = []
        try:
            for order in candidate_orders(len(head), self.orders, seed):
                if done and budget_s is not None and time.perf_counter() - t0 > budget_s:
                    break  # out of time: average the orders already scored
                lp = self.position_logprobs(history, [items[head[i].item_id] for i in order], rendered)
                lp = lp - self.calibration[: len(order)]
                for pos, i in enumerate(order):
                    total[i] += lp[pos]
                done += 1
        except RecsError as e:
            out = fallback(candidates, f"llm error: {e}", self.prompt.ref, (time.perf_counter() - t0) * 1000)
            out.prompts = rendered
            return out
        scores = total / done
        latency = (time.perf_counter() - t0) * 1000
        order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
        ranked = [head[i] for i in order] + tail
        return RerankResult(ranked, reranked=True, prompt_version=self.prompt.ref,
                            llm_scores={head[i].item_id: float(scores[i]) for i in range(len(head))},
                            latency_ms=latency, prompts=rendered,
                            tokens=sum(self.backend.count_tokens(p) for p in rendered))
