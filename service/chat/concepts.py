"""The lexicon's concepts a message names ('horror', 'sans horreur', '国产手机', 'something
lighter'): kinds wanted or not, groups of values, and moods."""

from __future__ import annotations

from service.chat.intent_state import Intent, add_mood, set_wanted
from service.text.lexicon import Lexicon
from service.text.vocabulary import Vocabulary

Spans = list[tuple[int, int]]


def lexicon_concepts(text: str, lang: str, lex: Lexicon, vocab: Vocabulary | None, intent: Intent, masked: Spans,
                     names: Spans, longer: Spans) -> tuple[list[tuple[str, int]], Spans]:
    """Reads the concepts into `intent` and masks their spans. `longer`: catalog values
    named, which win over a concept inside them ('child' inside the author 'Lee Child').
    Returns the negated concepts with where each is named, and the spans of mood words
    ('léger' is a mood for films and a weight for phones)."""
    negated_concepts: list[tuple[str, int]] = []
    mood_words: Spans = []
    mentions = [m for m in lex.mentions(text, lang, masked, names)
                if not any(a <= m.start and m.end <= b and b - a > m.end - m.start for a, b in longer)]
    asked = {m.concept for m in mentions if not m.negated}
    for m in mentions:
        if m.negated and m.concept in asked:  # 'sci-fi, but not the cheesy space opera': a part of it
            masked.append((m.start, m.end))
            continue
        concept = lex.concepts[m.concept]
        if not m.negated and vocab is not None and concept.get("values") and not any(
                str(v).casefold() in vocab.exact for v in concept["values"]):
            continue  # none of its values in this catalog: 'portable' is a laptop in a laptop shop, no phone
            # (negated, it stays ruled out: 'sans musical' keeps its words out of what is searched)
        if concept.get("kind") != "mood":
            set_wanted(intent.include, intent.exclude, m.concept, m.negated)
            if not m.negated and vocab is not None and concept.get("any"):
                group_values(intent, concept, vocab, lex.spans("additive", text, lang))
            if m.negated:
                negated_concepts.append((m.concept, m.start))
        elif not m.negated and m.concept not in intent.moods:
            add_mood(intent, m.concept, lex)
        if concept.get("kind") == "mood":
            mood_words.append((m.start, m.end))
        masked.append((m.start, m.end))
    return negated_concepts, mood_words


def group_values(intent: Intent, concept: dict, vocab: Vocabulary, adds) -> None:
    """'第二款那个价位，有没有带长焦的国产手机' after Google phones: a group of values ('国产':
    the Chinese brands) replaces the values earlier turns named of its attribute, unless
    the message adds to them ('also')."""
    attrs = {vocab.exact[str(v).casefold()][0] for v in concept.get("values", []) if str(v).casefold() in vocab.exact}
    if not adds:
        intent.values_in[:] = [x for x in intent.values_in if x[0] not in attrs]
