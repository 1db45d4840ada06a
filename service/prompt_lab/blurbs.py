"""Blurb prompts in the lab: the prompts the `Explainer` builds for one answer (render)
and what the model writes with them, attempt by attempt, with the service's checks
(run). Nothing here builds a prompt: the Explainer does, exactly as it does for a
request, and the lab records what it was given (`_Recording`, a call-log stand-in)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import PrivateAttr

from service.explain import Blurb, Explainer
from service.explain.praise import praise
from service.prompt_lab.lab import Lab
from service.prompts import PromptFile
from service.text.language import is_language
from service.text.titles import TitleIndex
from service.types import CandidateRequest, Candidate, Item, Ranked


class _Recording(PromptFile):
    """The prompt file, remembering the variables and text of every prompt it renders."""

    _seen: list[tuple[dict[str, str], str, str]] = PrivateAttr(default_factory=list)

    def full_text(self, backend, lang: str, **values: str) -> tuple[str, str]:
        rendered, prefix = super().full_text(backend, lang, **values)
        self._seen.append(({k: v for k, v in values.items() if k in self.variables}, rendered, prefix))
        return rendered, prefix


@dataclass
class BlurbPrompt:
    """What the model is given for one item, or why it is given nothing (a fact sentence)."""

    item: Item
    text: str | None = None  # the whole prompt, chat template and answer start included
    values: dict[str, str] = field(default_factory=dict)
    prefix: str = ""  # the answer's start, written for the model
    tokens: int = 0
    shared_tokens: int = 0  # with every other prompt of the answer (evaluated once)
    shared_chars: int = 0
    facts: str | None = None
    reason: str | None = None  # why a fact sentence and not the model


@dataclass
class Attempt:
    text: str
    check: str  # "ok" or the grounding check's reason
    latency_ms: float | None
    output_tokens: int
    language_ok: bool
    praise: list[str]


@dataclass
class Written:
    prompt: BlurbPrompt
    attempts: list[Attempt]
    final: Blurb | None


class _Attempts:
    """A call log that keeps each attempt by its prompt and passes it on to the real one."""

    def __init__(self, forward=None) -> None:
        self.by_prompt: dict[str, list[tuple[str, str, float | None]]] = {}
        self.forward = forward

    def record(self, kind, prompt_ref, rendered, result, **kw) -> None:
        self.by_prompt.setdefault(rendered, []).append((result["text"], result["check"], kw.get("latency_ms")))
        if self.forward is not None:
            self.forward.record(kind, prompt_ref, rendered, result, **kw)


def language_ok(text: str, lang: str, titles: TitleIndex) -> bool:
    """The language check on its own (the grounding check stops at its first failure):
    the words around the titles read as `lang`."""
    for _item, start, end in sorted(titles.find_all(text), key=lambda t: -t[1]):
        text = text[:start] + " " + text[end:]
    return is_language(re.sub(r"《[^》]*》", " ", text), lang)


def common_prefix(backend, texts: list[str]) -> tuple[int, int]:
    """(tokens, characters) every one of `texts` starts with: what the KV cache holds once
    when they are written together."""
    if len(texts) < 2:
        return 0, 0
    chars = len(_lcp(texts))
    tokenize = getattr(backend, "tokenize", None)
    if not callable(tokenize):
        return backend.count_tokens(texts[0][:chars]), chars
    return len(_lcp([tokenize(t) for t in texts])), chars


def _lcp(seqs: list) -> list | str:
    first = seqs[0]
    n = min(len(s) for s in seqs)
    for i in range(n):
        if any(s[i] != first[i] for s in seqs[1:]):
            return first[:i]
    return first[:n]


class BlurbLab:
    """One blurb prompt on one model, written the way the service writes it, minus the
    cache (every call writes) and the time budget unless `budget_ms` is given."""

    def __init__(self, lab: Lab, prompt: str, model: str | None = None, language: str = "en",
                 k: int = 5, budget_ms: int | None = None) -> None:
        self.lab, self.language = lab, language
        self.backend = lab.backend(model)
        s = lab.settings
        cfg = s.explain.model_copy(update={"cache_size": 0, "max_items": max(k + 1, s.explain.max_items),
                                           "budget_ms": budget_ms if budget_ms is not None else 10 ** 9})
        self.explainer = Explainer(lab.rec.catalog, self.backend, s.model_copy(update={"explain": cfg}), prompt, [language])
        self._prompt = _Recording.model_validate(self.explainer.prompt.model_dump())
        self.explainer.prompt = self._prompt

    @property
    def ref(self) -> str:
        return self._prompt.ref

    @property
    def model_id(self) -> str:
        return self.backend.model_id

    def answer(self, user: str, k: int, query: str | None = None, item: Item | None = None) -> list[Ranked]:
        """The person's top k as the service ranks them, with `item` added when it is not among them."""
        top = self.lab.rec.recommend_full(CandidateRequest(user_id=user, query=query, k=k)).items
        if item is not None and item.item_id not in {r.item_id for r in top}:
            top += self.lab.rec.to_ranked([Candidate(item_id=item.item_id, score=0.0)], {item.item_id: item})
        return top

    def prompts(self, user: str, items: list[Ranked], asked: str | None = None) -> list[BlurbPrompt]:
        """Every item's prompt for this answer, without running the model."""
        return self._run(user, items, asked, None)[0]

    def write(self, user: str, items: list[Ranked], asked: str | None = None, calllog=None) -> list[Written]:
        """Every item's blurb for this answer, with each attempt and its checks."""
        log = _Attempts(calllog)
        prompts, finals = self._run(user, items, asked, log)
        titles = self.explainer.titles()
        out = []
        for p in prompts:
            attempts = [Attempt(text, check, ms, self._output_tokens(text, p.prefix),
                                language_ok(text, self.language, titles), praise(text))
                        for text, check, ms in log.by_prompt.get(p.text or "", [])]
            out.append(Written(p, attempts, finals.get(p.item.item_id)))
        return out

    def _output_tokens(self, text: str, prefix: str) -> int:
        body = text[len(prefix):] if text.startswith(prefix) else text
        return self.backend.count_tokens(body) if body else 0

    def _run(self, user: str, items: list[Ranked], asked: str | None, log) -> tuple[list[BlurbPrompt], dict]:
        """Drive `Explainer.explain`. It builds every prompt of the answer before it
        starts the model and yields each one's answer start first: with no call log
        (render) the walk stops there, so the model never runs."""
        self._prompt._seen.clear()
        finals: dict[str, Blurb] = {}
        started: list[str] = []  # items handed to the model, in the order of their prompts
        history = self.lab.rec.liked(user)
        events = self.explainer.explain(items, history, self.language, asked=asked, user_id=user, calllog=log)
        try:
            for ev in events:
                if isinstance(ev, Blurb):
                    finals[ev.item_id] = ev
                elif ev.item_id not in started:
                    started.append(ev.item_id)
                    if log is None and len(started) == len(self._prompt._seen):
                        break
        finally:
            events.close()
        known = self.lab.rec.store.get_items([r.item_id for r in items])
        seen = dict(zip(started, self._prompt._seen))
        shared_tokens, shared_chars = common_prefix(self.backend, [text for _v, text, _p in seen.values()])
        out = []
        for r in items:
            item = known.get(r.item_id)
            if item is None:
                continue
            if r.item_id in seen:
                values, text, prefix = seen[r.item_id]
                out.append(BlurbPrompt(item, text, values, prefix, self.backend.count_tokens(text),
                                       shared_tokens, shared_chars))
            else:
                b = finals.get(r.item_id)
                out.append(BlurbPrompt(item, facts=b.text if b else None, reason=b.note if b else "not written"))
        return out, finals

