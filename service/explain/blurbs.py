"""Personal blurbs for the final list, streamed.

For each item its evidence is read from the ranking first (evidence.py: the history
items that pulled it in, strongest first, and what it really shares with them), and the
evidence sentence in the person's language (sentences.py) is streamed at once as the
item's attempt 0. The LLM then phrases the evidence from the blurb prompt, its answer
started with the strongest contributor; the grounding check and the evidence check
(claims.py: no praise, superlative, medium, genre, mood or year the evidence does not
hold) read the result; a failing blurb is regenerated once (sampled), then the evidence
sentence stands. Blurbs are cached by (user state, item, request wishes, prompt version,
model, language), so a repeated request costs nothing.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from service.candidates.catalog import CatalogView
from service.errors import RecsError
from service.explain.claims import unsupported
from service.explain.evidence import Evidence, EvidenceBuilder
from service.explain.grounding import check, trim
from service.explain.sentences import labels, sentence
from service.llm.chains import generate_each
from service.prompts import load_prompt
from service.settings import Settings
from service.text.language import NAMES
from service.text.titles import TitleIndex, display, without_maker
from service.types import Item, Ranked

# A blurb is one sentence: generation stops at its end (the stop is not part of the
# text; the full stop is put back), which is also where small models start repeating
# themselves or naming other titles.
SENTENCE_ENDS = (". ", "! ", "? ", "。", "！", "？")
STOP = ["\n", *SENTENCE_ENDS]


def _end_sentence(text: str, lang: str) -> str:
    text = text.rstrip()
    if text and text[-1] not in ".!?。！？…\"'»”)":
        text += "。" if lang == "zh" else "."
    return text


@dataclass
class BlurbDelta:
    item_id: str
    delta: str
    attempt: int  # a new attempt number means: start this item's text again


@dataclass
class Blurb:
    item_id: str
    text: str
    grounded: bool  # an LLM blurb that passed the grounding check
    source: str  # "llm" | "facts" (the evidence sentence)
    note: str | None = None  # why it came from facts (for developers; never part of the text)
    first_try: bool | None = None  # did the first LLM attempt pass (None: no attempt)
    cached: bool = False
    evidence: Evidence | None = None


class Explainer:
    def __init__(self, catalog: CatalogView, backend, settings: Settings, prompt: str | None = None,
                 languages: list[str] | None = None) -> None:
        """`catalog`: the items and the index the evidence is read from. `languages`: what
        the LLM writes here (default: `llm_languages`, minus those another model writes);
        fact sentences in the rest."""
        self.catalog, self.backend, self.cfg = catalog, backend, settings.explain
        self.history_items = settings.cf.history
        self.prompt = load_prompt(prompt or self.cfg.prompt)
        self.languages = languages if languages is not None else [
            x for x in self.cfg.llm_languages if x not in self.cfg.language_models]
        self.by_language: dict[str, Explainer] = {}  # languages another model writes (for_language)
        self._cache: OrderedDict[tuple, Blurb] = OrderedDict()
        self._lock = threading.Lock()
        # What a blurb must not echo: the prompt's own words, without its variables.
        self._instructions = re.sub(r"\{\w+\}", " . ", f"{self.prompt.system or ''}\n{self.prompt.template}")

    def for_language(self, lang: str) -> Explainer:
        """The explainer that writes `lang`: a model of its own (`language_models`), else this."""
        return self.by_language.get(lang, self)

    # -- facts ------------------------------------------------------------------------------
    def titles(self) -> TitleIndex:
        space = self.catalog.space
        def build() -> TitleIndex:
            makers = ((i, without_maker(t, a.values())) for i, t, a in zip(space.ids, space.titles, space.attributes))
            return TitleIndex(zip(space.ids, space.titles), self.catalog.popularity(space.ids),
                              aliases=[(i, alias) for i, alias in makers if alias])
        return space.derived("titles", build)

    def evidence(self) -> EvidenceBuilder:
        return EvidenceBuilder(self.catalog.space, self.catalog.model)

    # -- generation ---------------------------------------------------------------------------
    def _key(self, history: list[str], item_id: str, lang: str, asked: str | None,
             asked_values: list[str] | None, prefer: list[str] = ()) -> tuple:
        """Everything the text depends on: the history, the item, the request's wishes
        (a blurb may say which of them it meets), the prompt, the model, the language."""
        state = hashlib.sha1("\x1f".join(history).encode()).hexdigest()
        wishes = hashlib.sha1("\x1f".join([asked or "", *sorted(asked_values or []), "like:", *prefer]).encode()).hexdigest()
        return (state, item_id, wishes, self.prompt.ref, getattr(self.backend, "model_id", None), lang)

    def _cached(self, key: tuple) -> Blurb | None:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
        return hit

    def _remember(self, key: tuple, blurb: Blurb) -> None:
        if self.cfg.cache_size <= 0:
            return
        with self._lock:
            self._cache[key] = blurb
            while len(self._cache) > self.cfg.cache_size:
                self._cache.popitem(last=False)

    def explain(self, items: list[Ranked], history: list[str], lang: str = "en", asked: str | None = None,
                asked_values: list[str] | None = None, user_id: str | None = None,
                calllog=None, prefer: list[str] = ()) -> Iterator[BlurbDelta | Blurb]:
        """Deltas while the LLM writes, and one final Blurb per item as soon as it is
        final (the final text is what counts: a failed attempt is followed by a new
        attempt or by the evidence sentence). Cached and fact blurbs come first, then each
        remaining item's evidence sentence as its attempt 0; the LLM writes the rest
        together, so their deltas interleave and they finish in any order."""
        t0 = time.perf_counter()
        hist = history[-self.history_items:]
        known = self.catalog.get_items(hist + [r.item_id for r in items])
        hist_items = {h: known[h] for h in hist if h in known}
        # the same for every item of an answer, so its prompts share everything up to the item
        liked = "; ".join(dict.fromkeys(display(h.title) for h in list(hist_items.values())[-5:]))
        todo: list[_Job] = []
        builder = self.evidence()
        for n, r in enumerate(items):
            item = known.get(r.item_id)
            if item is None:
                continue
            key = self._key(hist, r.item_id, lang, asked, asked_values, list(prefer))
            hit = self._cached(key)
            if hit is not None:
                yield Blurb(**{**hit.__dict__, "cached": True})
                continue
            ev = builder.build(item, hist_items, r.sources, asked_values, prefer)
            facts = sentence(ev, lang)
            reason = None
            if not self.languages:  # the evidence sentence is the reason by design: nothing to note
                blurb = Blurb(r.item_id, facts, False, "facts", None, evidence=ev)
                self._remember(key, blurb)
                yield blurb
                continue
            if self.backend is None:
                reason = "no LLM configured"
            elif lang not in self.languages:
                reason = f"the model phrases reasons in {', '.join(self.languages)} only"
            elif n >= self.cfg.max_items:
                reason = f"LLM blurbs are written for the top {self.cfg.max_items}"
            elif ev.top is None:
                reason = "nothing in the history to ground it on"
            if reason:
                blurb = Blurb(r.item_id, facts, False, "facts", reason, evidence=ev)
                self._remember(key, blurb)
                yield blurb
                continue
            todo.append(self._job(key, item, ev, liked, facts, lang, asked))
        for j in todo:  # the evidence sentence at once; the model's phrasing restarts the text (attempt 1)
            yield BlurbDelta(j.item.item_id, j.facts, 0)
        if todo:
            yield from self._write(todo, hist_items, lang, t0, user_id, calllog)

    def _job(self, key, item: Item, ev: Evidence, liked: str, facts: str, lang: str, asked) -> _Job:
        shared = labels([v for c in ev.because for v in c.shared], lang)
        own = labels(ev.values, lang)
        rest = [v for v in own if v not in shared]  # the item's other values: true of it too
        sep = "、" if lang == "zh" else ", "
        values = {"liked": liked, "asked": asked or "recommendations", "item": display(item.title),
                  "details": sep.join(shared or own) or "no details",
                  "evidence": facts + (f" ({sep.join(rest)})" if rest else ""),
                  "anchor": display(ev.top.title), "language": NAMES.get(lang, "English")}
        rendered, prefix = self.prompt.full_text(self.backend, lang, **values)
        return _Job(key, item, facts, prefix, rendered, ev)

    def _write(self, jobs: list[_Job], hist_items, lang, t0, user_id, calllog) -> Iterator[BlurbDelta | Blurb]:
        """Attempt 1 (greedy) for every job together, then attempt 2 (sampled) for those
        the grounding check failed, together; then facts. A busy or failing model, or a
        spent time budget, is not a verdict on a blurb: such blurbs are not cached."""
        titles = self.titles()
        named = tuple(h.title for h in hist_items.values())  # names a blurb may use, not claims
        for attempt, temperature in ((1, 0.0), (2, 0.7)):
            if not jobs:
                return
            if (time.perf_counter() - t0) * 1000 > self.cfg.budget_ms:
                for j in jobs:
                    yield self._fallback(j, "the blurb time budget is spent", cache=False)
                return
            for j in jobs:
                j.pieces = []
                yield BlurbDelta(j.item.item_id, j.prefix, attempt)
            retry, t = [], time.perf_counter()
            try:
                for i, piece in self._generate([j.rendered for j in jobs], temperature):
                    j = jobs[i]
                    if piece is not None:
                        j.pieces.append(piece)
                        yield BlurbDelta(j.item.item_id, piece, attempt)
                        continue
                    text = trim(_end_sentence(j.prefix + "".join(j.pieces), lang))
                    reason = check(text, allowed=set(hist_items) | {j.item.item_id}, titles=titles, language=lang,
                                   prompt=self._instructions, answer_prefix=j.prefix) or unsupported(
                                       text, j.evidence, lang, named)
                    if calllog is not None:
                        calllog.record("generate", self.prompt.ref, j.rendered, {"text": text, "check": reason or "ok"},
                                       model=self.backend.model_id, user_id=user_id,
                                       latency_ms=round((time.perf_counter() - t) * 1000, 1), fallback=reason)
                    if j.first_ok is None:
                        j.first_ok = reason is None
                    j.done = True
                    if reason is None:
                        blurb = Blurb(j.item.item_id, text, True, "llm", None, j.first_ok, evidence=j.evidence)
                        self._remember(j.key, blurb)
                        yield blurb
                    else:
                        j.reasons.append(reason)
                        retry.append(j)
            except RecsError as e:
                for j in jobs:
                    if not j.done:
                        j.reasons.append(f"the model failed: {e}")
                        yield self._fallback(j, None, cache=False)
                for j in retry:
                    yield self._fallback(j, None, cache=True)
                return
            jobs = retry
            for j in jobs:
                j.done = False
        for j in jobs:
            yield self._fallback(j, None, cache=True)

    def _generate(self, prompts: list[str], temperature: float) -> Iterator[tuple[int, str | None]]:
        return generate_each(self.backend, prompts, self.cfg.max_tokens, STOP, temperature)

    def _fallback(self, job: _Job, reason: str | None, cache: bool) -> Blurb:
        blurb = Blurb(job.item.item_id, job.facts, False, "facts", reason or "; ".join(job.reasons), job.first_ok,
                      evidence=job.evidence)
        if cache:
            self._remember(job.key, blurb)
        return blurb


@dataclass(eq=False)
class _Job:
    """One LLM blurb being written."""

    key: tuple
    item: Item
    facts: str
    prefix: str  # the answer's start, given to the model
    rendered: str  # the whole prompt
    evidence: Evidence
    pieces: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why attempts failed
    first_ok: bool | None = None
    done: bool = False
