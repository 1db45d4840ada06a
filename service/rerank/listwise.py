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
import time

import numpy as np

from service.errors import RecsError
from service.llm.base import LLMBackend
from service.prompts import PromptFile
from service.rerank.base import Fallback, RerankContext, RerankResult, fallback
from service.types import Candidate, Item


def describe(item: Item, chars: int = 60, attributes: bool = False) -> str:
    """A compact one-line description: the title, optionally with the first list
    attribute (genres, authors...), cut at a word boundary so prompts stay short.
    Every token here is paid for on every request."""
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

    def render(self, history: list[Item], shown: list[Item]) -> str:
        d = lambda it: describe(it, self.text_chars, self.attributes)  # noqa: E731
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
