"""Chat-style requests: a conversation -> intent (intent.py) -> a CandidateRequest ->
candidates -> rerank -> blurbs -> a short reply in the person's language.

`Chat.run` yields typed events (events.py) in the order a streaming client wants them:
the ranked list first (it is ready before any blurb), then the reply's opening line, then
each blurb as the model writes it, then the final blurbs and the whole reply."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from service.candidates.vectors import embed_text
from service.chat.events import ChatAnswer, ChatEvent, Done, Items, Planned, Reply
from service.chat.intent import Intent, Turn, parse
from service.chat.kinds import generic_values, without_kind
from service.chat.plan import ChatPlan, relaxations, tightest_ranges
from service.chat.ports import ChatPipeline
from service.chat.relative import relative_ranges
from service.chat.reply import describe, reply_header
from service.chat.scope import within_considered
from service.chat.topup import near_fits, shown_that_fit
from service.chat.value_matching import SURE_BY_MEANING
from service.errors import InvalidInput, RecsError
from service.explain import Blurb, BlurbDelta, Explainer
from service.text.attribute_units import units_of_texts
from service.text.currency import of_texts
from service.text.language import has_cjk
from service.text.lexicon import lexicon
from service.text.vocabulary import Vocabulary, load_overrides
from service.types import CandidateRequest, Filters

if TYPE_CHECKING:
    from service.recommender.results import Recommendation

EVERYTHING = 0.95  # a value this share of the catalog has is what the catalog is: never excluded


class Chat:
    def __init__(self, rec: ChatPipeline, explainer: Explainer) -> None:
        self.rec, self.explainer, self.catalog = rec, explainer, rec.catalog

    def vocabulary(self) -> Vocabulary:
        """The catalog's own vocabulary, rebuilt whenever the item space changes."""
        space = self.catalog.space
        overrides = self.rec.settings.vocabulary_file

        def build() -> Vocabulary:
            title_of = self.explainer.titles().title_of
            sample = list(self.catalog.get_items(space.ids[:: max(1, len(space.ids) // 200)][:200]).values())
            return Vocabulary(space.attributes, lexicon(), load_overrides(overrides), self._currency(sample),
                              [title_of.get(i, "") for i in space.ids],
                              units_of_texts((it.attributes, it.text or "") for it in sample))
        return space.derived("vocabulary", build)

    def _currency(self, sample: list) -> str | None:
        """The catalog's price currency: the setting, else what most of a sample of item
        texts write next to their numbers, else the lexicon's currency for a catalog in
        its script ('200块' against a wine list whose texts name no price is about $29,
        not $200)."""
        chosen = self.rec.settings.chat.currency
        if chosen != "auto":
            return None if chosen == "none" else chosen
        lex = lexicon()
        found = of_texts(lex, [it.text or "" for it in sample])
        if found or not sample:
            return found
        written = " ".join(f"{it.title or ''} {it.text or ''}" for it in sample)
        chinese = sum(has_cjk(ch) for ch in written) > len(written) / 4
        return lex.data.get("catalog_currency", {}).get("zh" if chinese else "other")

    def _filters(self, concepts: list[str]) -> dict[str, list[str]]:
        lex, values = lexicon(), self.vocabulary().exact
        out: dict[str, list[str]] = {}
        for c in concepts:
            wanted = lex.concepts[c].get("values", []) if c in lex.concepts else [c]
            for v in wanted:
                hit = values.get(v.casefold())
                if hit and hit[1] not in out.get(hit[0], []):  # 'foldable' and 'Foldable': one value
                    out.setdefault(hit[0], []).append(hit[1])
        return out

    def _llm_values(self, intent, turns: list[Turn]) -> None:
        """Where words run out: the LLM picks a small attribute's value (label logits)."""
        from service.chat.llm_intent import LLMValuePicker

        last = next(t.content for t in reversed(turns) if t.role == "user" and t.content.strip())
        picker = LLMValuePicker(self.rec.backend, self.vocabulary(), self.rec.settings.chat.llm_values_min_prob)
        try:
            picked = picker.pick(last)
        except RecsError:  # a busy or failing model: go by what the words said
            return
        for attr, value, prob in picked:
            intent.llm_values.append((attr, value, prob))
            if (attr, value) not in intent.values_in:
                intent.values_in.append((attr, value))

    def plan(self, turns: list[Turn], user_id: str | None, k: int, use_llm: bool = True) -> ChatPlan:
        if not any(t.role == "user" and t.content.strip() for t in turns):
            raise InvalidInput("messages must contain at least one non-empty 'user' message")
        values, attributes, kinds = self.semantic_values() if self.rec.settings.chat.semantic_values else (None,) * 3
        intent = parse(turns, self.explainer.titles(), vocab=self.vocabulary(), values=values, attributes=attributes,
                       kinds=kinds)
        if (use_llm and self.rec.settings.chat.llm_values and self.rec.backend is not None
                and not intent.covered()):
            self._llm_values(intent, turns)
        history = self.rec.history(user_id) + [s for s in intent.seeds]
        anyof = [c for c in intent.include if lexicon().concepts.get(c, {}).get("any")]  # 'un pliable': either kind
        require = self._filters([c for c in intent.include if c not in anyof])
        exclude = self._filters(intent.exclude)
        for attr, value in intent.values_out:
            exclude.setdefault(attr, []).append(value)
        # a group's values, less those ruled out ('国产手机，华为荣耀除外'); values of it named
        # say which ('想支持下国货，打算在华为和荣耀里挑一台': Huawei or Honor)
        named = {a for a, _v in intent.values_in}
        include: dict[str, list[str]] = {a: [v for v in vals if v not in exclude.get(a, [])]
                                         for a, vals in self._filters(anyof).items() if a not in named}
        for attr, value in intent.values_in:  # named values: any of them, per attribute
            include.setdefault(attr, []).append(value)
        include = self._compatible(include, intent)
        # a kind said with another value of its own attribute is that value's kind ('un
        # portátil gaming': the gaming laptops, not the laptops that are also gaming laptops,
        # of which an item with one category has none; 'a foldable that opens like a book'
        # is still the book-style ones of the foldables)
        require = {a: vals for a, vals in require.items()
                   if a not in include or a in self._list_attributes() or set(vals) <= set(include[a])}
        # ... and a kind word for what the shop sells, asked by the lexicon or read by meaning, no filter
        generic = self.catalog.space.derived("generic_values", lambda: generic_values(
            self.vocabulary(), self._list_attributes()))
        by_meaning = {(a, v) for a, v, _s in intent.semantic}  # the least certain: not what is considered
        require = without_kind(require, generic)
        include = without_kind(include, generic & by_meaning)
        relative_ranges(intent, self.catalog, self.vocabulary())
        named_values = {a: [v for v in vals if (a, v) not in by_meaning] for a, vals in include.items()}
        within_considered(intent, self.catalog.space,
                          Filters(require=require, include={a: v for a, v in named_values.items() if v}, exclude=exclude))
        ranges = tightest_ranges(intent.ranges)
        # a value asked for and also negated ('un film qui fait peur mais sans gore': scary,
        # but not gory) is wanted: the negation was about a part of it
        # ... and one (nearly) every item has is the kind of thing asked for ('pas un
        # téléphone de gamer' is no gaming phone, not no phone)
        vocab = self.vocabulary()
        exclude = {a: [v for v in vals if v not in require.get(a, []) + include.get(a, [])
                       and vocab.share(a, v) < EVERYTHING]
                   for a, vals in exclude.items()}
        exclude = {a: vals for a, vals in exclude.items() if vals}
        filters = Filters(require=require, include=include, exclude=exclude, ranges=ranges)
        query = meaning = intent.meaning()
        if intent.seeds and not query:
            # 'like X': search X's own kind (its list attributes, e.g. genres) and let CF,
            # with X as the latest history item, order that pool
            seeds = self.catalog.get_items(intent.seeds)
            unwanted = {str(v) for vals in exclude.values() for v in vals}  # 'like Groundhog Day but not a comedy'
            words = [str(v) for s in intent.seeds if s in seeds
                     for vals in seeds[s].attributes.values() if isinstance(vals, list) for v in vals
                     if str(v) not in unwanted]
            query = " ".join(dict.fromkeys(words)) or None
        context = intent.topic() if query and query == meaning else []  # not the seeds' kind words
        if query and query == meaning and intent.seeds:
            # 'like the Pixel 8 but with a bigger battery', 'more like the second one but
            # older': what the item is, matched together with the words
            liked = self.catalog.get_items(intent.seeds[-2:])
            context = context + [embed_text(liked[s]) for s in intent.seeds[-2:] if s in liked]
        req = CandidateRequest(user_id=user_id, query=query, query_context=context, k=k, filters=filters,
                               history=history,
                               exclude_items=list(dict.fromkeys(
                                   intent.seeds + intent.shown + self._titled(intent.lines_out))),
                               restrict_to=self._titled([p for _a, p in intent.lines_in]) or None)
        asked = [v for vals in require.values() for v in vals]
        return ChatPlan(intent, req, describe(intent, self.explainer.titles().title_of), asked, relaxations(req, intent))

    def _list_attributes(self) -> set[str]:
        """Attributes some item holds several values of (genres, authors), where asking for
        two values is asking for both."""
        space = self.catalog.space
        return space.derived("list_attributes", lambda: {
            a for attrs in space.attributes for a, v in attrs.items() if isinstance(v, list) and len(v) > 1})

    def _compatible(self, include: dict[str, list[str]], intent: Intent) -> dict[str, list[str]]:
        """Values of two attributes no item has together are a change of mind ('passer de
        l'iPhone à Android', 'iPhone用了三年了，想换个安卓的'): an uncertain value read by
        meaning goes first, then the one named earlier; the later stands."""
        space = self.catalog.space
        order = {av: n for n, av in enumerate(intent.values_in)}
        by_meaning = {(a, v) for a, v, score in intent.semantic if score < SURE_BY_MEANING}

        def rank(attr: str) -> tuple[int, int]:
            named = [(a, v) for a, v in order if a == attr and v in include[attr]]
            return (min((0 if x in by_meaning else 1) for x in named) if named else 0,
                    max((order[x] for x in named), default=-1))
        while len(include) > 1 and not space.filter_mask(Filters(include=include)).any():
            first = min(include, key=rank)
            include = {a: vals for a, vals in include.items() if a != first}
        return include

    def _titled(self, parts: list[str]) -> list[str]:
        """Items whose titles name one of `parts` ('redmi', 'galaxy s' before a number)."""
        if not parts:
            return []
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in parts) + r")(?=\d|\b)", re.IGNORECASE)
        space = self.catalog.space
        return [i for i, t in zip(space.ids, space.titles) if pattern.search(t)]

    def semantic_values(self):
        """The catalog's categorical values, and its numeric and categorical attribute
        names, embedded by the sentence encoder once per item space."""
        from service.chat.semantic import SemanticAttributes, SemanticValues, glosses
        from service.embed import for_words

        space, cfg = self.catalog.space, self.rec.settings.chat
        vocab = self.vocabulary()
        words = for_words(self.rec.embedder)

        def meant() -> dict[tuple[str, str], int]:
            """A value spelled like a grammar word (the brand 'Nothing') means that word to
            the encoder ('有无', 'sin nada'): it is found by its spelling only."""
            grammar = lexicon().function_words("en")
            # ... and one (nearly) every item has names the kind of thing, no choice ('pantalla'
            # is no 'category: phone' in a phone shop: it is the screen)
            return {k: n for k, n in vocab.values.items()
                    if k[1].casefold() not in grammar and vocab.share(*k) < EVERYTHING}

        def attributes(names: list[str]) -> SemanticAttributes:
            known = lexicon().data.get("attribute_glosses", {})
            return SemanticAttributes(words, names, cfg.attribute_threshold, cfg.attribute_margin,
                                      glosses(words, names, known))

        return space.derived("semantic_values", lambda: (
            SemanticValues(words, meant(), cfg.value_threshold, cfg.value_margin),
            attributes(sorted(vocab.numeric)), attributes(sorted({a for a, _v in vocab.values}))))

    def run(self, turns: list[Turn], user_id: str | None, k: int, explain: bool = True,
            use_llm: bool = True) -> Iterator[ChatEvent]:
        """Planned, Items, Reply, then BlurbDelta and Blurb per item, then Done (events.py)."""
        answer = ChatAnswer()

        def emit(ev: ChatEvent) -> ChatEvent:
            answer.add(ev)
            return ev

        plan = self.plan(turns, user_id, k, use_llm)
        yield emit(Planned(plan))
        out = self.rec.recommend_full(plan.request, use_llm=use_llm)
        for what, looser in plan.relaxations:  # never an empty answer: let go, least certain first
            if out.items:
                break
            out = self.rec.recommend_full(looser, use_llm=use_llm)
            plan.relaxed = ", ".join(dict.fromkeys(", ".join(filter(None, [plan.relaxed, what])).split(", "))) or None
            # each step is looser than the one before: what it let go adds to theirs
        out = near_fits(self.rec, plan, shown_that_fit(self.rec, plan, out, k, use_llm), k, use_llm)
        yield emit(Items(out))
        yield emit(Reply(reply_header(plan, len(out.items))))
        if explain and out.items:
            lang = plan.intent.language
            because = self.rec.liked(user_id) + list(plan.intent.seeds)  # what a reason may say they enjoyed
            for ev in self.explainer.for_language(lang).explain(out.items, because, lang, plan.about,
                                                                plan.asked_values, user_id, self.rec.calllog,
                                                                prefer=plan.intent.seeds):
                yield emit(ev)
        yield Done(answer.text())


__all__ = ["Blurb", "BlurbDelta", "Chat", "ChatAnswer", "ChatEvent", "ChatPlan", "Done", "Items", "Planned", "Reply", "Turn"]
