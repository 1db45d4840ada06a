"""Personal blurbs for the final list, streamed.

For each item: its anchors (the history items CF links it to most, else those sharing
the most attributes) and shared attributes are found first; the LLM writes one
sentence from the blurb prompt, started for it with the closest anchor; the grounding
check reads the result; a failing blurb is regenerated once (sampled), then replaced
by a sentence built from the facts. Blurbs are cached by (user state, item, prompt
version, model, language), so a repeated request costs nothing.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from service.errors import RecsError
from service.explain.grounding import check, trim
from service.llm.chains import generate_each
from service.prompts import load_prompt
from service.settings import Settings
from service.text.language import NAMES
from service.text.lexicon import lexicon
from service.text.titles import TitleIndex, display
from service.types import Item, Ranked

FACTS = {
    "en": {"and": " and ", "both": "Because you enjoyed {anchors}: it is also {shared}.",
           "anchors": "Because you enjoyed {anchors}: people who liked them often pick {item} next.",
           "shared": "It matches what you asked for: {shared}.", "none": "A popular pick in this catalog."},
    "fr": {"and": " et ", "both": "Puisque vous avez aimé {anchors} : c'est aussi {shared}.",
           "anchors": "Puisque vous avez aimé {anchors} : ceux qui les ont aimés choisissent souvent {item}.",
           "shared": "Correspond à votre demande : {shared}.", "none": "Un choix populaire du catalogue."},
    "es": {"and": " y ", "both": "Como te gustó {anchors}: también es {shared}.",
           "anchors": "Como te gustó {anchors}: quienes lo disfrutaron suelen elegir {item}.",
           "shared": "Encaja con lo que pediste: {shared}.", "none": "Una opción popular del catálogo."},
    "zh": {"and": "和", "both": "因为你喜欢{anchors}：它同样是{shared}。",
           "anchors": "因为你喜欢{anchors}：喜欢它们的人也常选择{item}。",
           "shared": "符合你的要求：{shared}。", "none": "本目录中的热门之选。"},
}


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
    source: str  # "llm" | "facts"
    note: str | None = None  # why it came from facts
    first_try: bool | None = None  # did the first LLM attempt pass (None: no attempt)
    cached: bool = False


def _quote(title: str, lang: str) -> str:
    return f"《{display(title)}》" if lang == "zh" else display(title)


def _values(item: Item) -> list[str]:
    out = []
    for v in item.attributes.values():
        if isinstance(v, list):
            out.extend(str(x) for x in v)
    return out


class Explainer:
    def __init__(self, rec, backend, settings: Settings, prompt: str | None = None,
                 languages: list[str] | None = None) -> None:
        """`languages`: what the LLM writes here (default: `llm_languages`, minus those
        another model writes); fact sentences in the rest."""
        self.rec, self.backend, self.cfg = rec, backend, settings.explain
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
        space = self.rec.index.space
        return space.derived("titles", lambda: TitleIndex(zip(space.ids, space.titles),
                                                          self.rec.popularity(space.ids)))

    def anchors(self, item: Item, history: dict[str, Item], n: int = 2, prefer: list[str] = ()) -> list[str]:
        """The items the request named ('like X') first, then the history items CF ties
        to `item` most, then the ones sharing most attributes."""
        space, model = self.rec.index.space, self.rec.index.model
        hist = [h for h in history if h != item.item_id]
        row = space.index.get(item.item_id)
        out: list[str] = [p for p in prefer if p in history and p != item.item_id][:n]
        if row is not None and hist and len(out) < n:
            rows = np.asarray(space.rows(hist))
            if len(rows):
                sims = np.asarray(model.sim[rows][:, row].todense()).ravel()
                sims += np.asarray(model.trans[rows][:, row].todense()).ravel() * 1e-3
                order = np.argsort(-sims, kind="stable")
                out += [space.ids[rows[i]] for i in order if sims[i] > 0 and space.ids[rows[i]] not in out]
                out = out[:n]
        if len(out) < n:
            mine = {v.casefold() for v in _values(item)}
            scored = [(len(mine & {v.casefold() for v in _values(history[h])}), k, h)
                      for k, h in enumerate(hist) if h not in out]
            scored = sorted((s for s in scored if s[0] > 0), reverse=True)
            out += [h for _s, _k, h in scored[: n - len(out)]]
        return out

    def shared(self, item: Item, others: list[Item] | list[str], lang: str) -> list[str]:
        """The item's list-attribute values (as labels in `lang`) that `others` (items, or
        plain values) also have."""
        theirs = set()
        for o in others:
            theirs |= {v.casefold() for v in (_values(o) if isinstance(o, Item) else [o])}
        lex = lexicon()
        out = []
        for v in _values(item):
            if v.casefold() in theirs:
                concept = lex.concept_of(v, "en")
                label = lex.label(concept, lang) if concept else v
                if label not in out:
                    out.append(label)
        return out[:3]

    def facts_text(self, item: Item, anchors: list[Item], shared: list[str], asked: list[str], lang: str) -> str:
        """`shared`: what the item has in common with the anchors; `asked`: the
        request's wishes it meets. Each claim is only made where it is true."""
        f = FACTS.get(lang, FACTS["en"])
        names = f["and"].join(_quote(a.title, lang) for a in anchors)
        sep = "、" if lang == "zh" else ", "
        extra = [a for a in asked if a not in shared]
        if anchors and shared:
            text = f["both"].format(anchors=names, shared=sep.join(shared))
        elif anchors:
            text = f["anchors"].format(anchors=names, item=_quote(item.title, lang))
        elif asked:
            return f["shared"].format(shared=sep.join(asked))
        else:
            return f["none"]
        gap = "" if lang == "zh" else " "
        return text + (gap + f["shared"].format(shared=sep.join(extra)) if extra else "")

    # -- generation ---------------------------------------------------------------------------
    def _key(self, history: list[str], item_id: str, lang: str, asked: str | None,
             asked_values: list[str] | None) -> tuple:
        """Everything the text depends on: the history, the item, the request's wishes
        (a blurb may say which of them it meets), the prompt, the model, the language."""
        state = hashlib.sha1("\x1f".join(history).encode()).hexdigest()
        wishes = hashlib.sha1("\x1f".join([asked or "", *sorted(asked_values or [])]).encode()).hexdigest()
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
        attempt or by facts). Cached and fact blurbs come first; the LLM writes the rest
        together, so their deltas interleave and they finish in any order."""
        t0 = time.perf_counter()
        hist = history[-self.rec.settings.cf.history:]
        known = self.rec.store.get_items(hist + [r.item_id for r in items])
        hist_items = {h: known[h] for h in hist if h in known}
        # the same for every item of an answer, so its prompts share everything up to the item
        liked = "; ".join(dict.fromkeys(display(h.title) for h in list(hist_items.values())[-5:]))
        todo: list[_Job] = []
        for n, r in enumerate(items):
            item = known.get(r.item_id)
            if item is None:
                continue
            key = self._key(hist, r.item_id, lang, asked, asked_values)
            hit = self._cached(key)
            if hit is not None:
                yield Blurb(**{**hit.__dict__, "cached": True})
                continue
            anchors = [hist_items[a] for a in self.anchors(item, hist_items, prefer=prefer)]
            shared = self.shared(item, anchors, lang)
            asked_labels = self.shared(item, asked_values or [], lang)
            facts = self.facts_text(item, anchors, shared, asked_labels, lang)
            reason = None
            if self.backend is None:
                reason = "no LLM configured"
            elif lang not in self.languages:
                reason = f"the model writes blurbs in {', '.join(self.languages) or 'no language'} only"
            elif n >= self.cfg.max_items:
                reason = f"LLM blurbs are written for the top {self.cfg.max_items}"
            elif not anchors:
                reason = "nothing in the history to ground it on"
            if reason:
                blurb = Blurb(r.item_id, facts, False, "facts", reason)
                self._remember(key, blurb)
                yield blurb
                continue
            todo.append(self._job(key, item, anchors, liked, shared, facts, lang, asked))
        if todo:
            yield from self._write(todo, hist_items, lang, t0, user_id, calllog)

    def _job(self, key, item, anchors, liked: str, shared, facts, lang, asked) -> _Job:
        values = {"liked": liked, "asked": asked or "recommendations",
                  "item": display(item.title), "details": ", ".join(shared or _values(item)[:3]) or "no details",
                  "anchor": display(anchors[0].title), "language": NAMES.get(lang, "English")}
        rendered, prefix = self.prompt.full_text(self.backend, lang, **values)
        return _Job(key, item, facts, prefix, rendered)

    def _write(self, jobs: list[_Job], hist_items, lang, t0, user_id, calllog) -> Iterator[BlurbDelta | Blurb]:
        """Attempt 1 (greedy) for every job together, then attempt 2 (sampled) for those
        the grounding check failed, together; then facts. A busy or failing model, or a
        spent time budget, is not a verdict on a blurb: such blurbs are not cached."""
        titles = self.titles()
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
                                   prompt=self._instructions, answer_prefix=j.prefix)
                    if calllog is not None:
                        calllog.record("generate", self.prompt.ref, j.rendered, {"text": text, "check": reason or "ok"},
                                       model=self.backend.model_id, user_id=user_id,
                                       latency_ms=round((time.perf_counter() - t) * 1000, 1), fallback=reason)
                    if j.first_ok is None:
                        j.first_ok = reason is None
                    j.done = True
                    if reason is None:
                        blurb = Blurb(j.item.item_id, text, True, "llm", None, j.first_ok)
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
        blurb = Blurb(job.item.item_id, job.facts, False, "facts", reason or "; ".join(job.reasons), job.first_ok)
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
    pieces: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why attempts failed
    first_ok: bool | None = None
    done: bool = False
