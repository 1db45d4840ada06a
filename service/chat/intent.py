"""From a conversation to what the person wants: language, attribute constraints
(include / exclude, with negation), 'like <title>' references resolved against the
catalog, references to the previous answer ('more like the second one') and moods
('something lighter'). Earlier turns carry forward; a later turn overrides them
("no horror" after "horror please").

Attribute and mood words map to the catalog's own attribute values (hard filters);
values and numeric attributes the words mean but do not spell are found with the
sentence encoder (`semantic.py`); what is left of each turn, in the person's own
language, is the semantic query (`Intent.meaning`).
"""

from __future__ import annotations

import re

from service.chat.concepts import lexicon_concepts
from service.chat.intent_state import FILLER, Intent, Turn, has_content, residual, without_kind_words
from service.chat.named_values import catalog_values
from service.chat.quantities import (child_ages, grown_children, implied_spans, numbers_said, quantities,
                                     relatives)
from service.chat.references import answer_items, item_references
from service.chat.semantic import SemanticAttributes, SemanticValues
from service.chat.value_matching import (attribute_name_tails, flags_named, negation_binds_to_values, opened_attributes,
                                         free_of_said, span_stop, values_by_meaning,
                                         without_means_free_of)
from service.text.durations import spelled_durations
from service.text.language import detect
from service.text.lexicon import Lexicon, lexicon
from service.text.titles import TitleIndex, words_with_spans
from service.text.vocabulary import ValueMention, Vocabulary

__all__ = ["Intent", "Turn", "has_content", "parse", "residual", "without_kind_words"]


def parse(turns: list[Turn], titles: TitleIndex, lex: Lexicon | None = None,
          vocab: Vocabulary | None = None, values: SemanticValues | None = None,
          attributes: SemanticAttributes | None = None, kinds: SemanticAttributes | None = None) -> Intent:
    lex = lex or lexicon()
    intent = Intent()
    last_answer: list[str] = []
    last_named: list[str] = []  # titles named so far, for 'like it'
    previous_named: list[str] = []  # titles the previous message named
    for turn in turns:
        text = turn.content.strip()
        if turn.role == "assistant":
            last_answer = answer_items(turn, titles)
            intent.shown.extend(i for i in last_answer if i and i not in intent.shown)
            intent.answered.extend(i for i in last_answer if i and i not in intent.answered)
            continue
        if not text:
            continue
        lang = detect(text, default=intent.language)
        intent.language = lang
        if vocab is not None and lang == "zh":
            text = vocab.latinized(text)  # '一加' -> 'OnePlus', '骁龙' -> 'Snapdragon'
        text = spelled_durations(text)  # 'under an hour' -> 'under 60 min', '半小时' -> '30分钟'
        masked: list[tuple[int, int]] = []
        seeds_before = len(intent.seeds)
        earlier_values, earlier_out = list(intent.values_in), list(intent.values_out)
        said_now: set[tuple[str, str]] = set()  # values this turn names (again)
        semantic_before = len(intent.semantic)
        named_before = len(last_named)
        in_text = titles.find_all(text)  # every title the message names
        by_place = item_references(text, lang, titles, lex, intent, masked, last_answer, last_named, in_text)
        refers = by_place or len(intent.seeds) > seeds_before  # this message points at an item
        references = list(masked)  # titles, ordinals, quotes: seeds, not words of the need
        # 'cheaper than the first one' compares with that item; 'something cheaper' right
        # after an answer, with everything it showed
        # ... and after a message that named an item ('le Galaxy S24 Ultra' ... 'trop cher, quelque
        # chose de similaire pour moitié prix'), with that item
        against = intent.seeds[-1:] if refers else previous_named[-1:] or [i for i in last_answer if i]
        compared = relatives(text, lang, lex, vocab, intent, masked, references) if against and vocab else []
        if compared:
            intent.compared_with = against
        negated_values: list[int] = []  # where the values this turn excludes are named
        named = _named_values(text, vocab, masked, in_text) if vocab is not None else []
        longer = [(v.start, v.end) for v in named]
        names = references + longer  # a negation word inside a name ('Nothing Phone') negates nothing
        negated_concepts, mood_words = lexicon_concepts(text, lang, lex, vocab, intent, masked, names, longer)
        child_ages(text, lang, lex, intent, masked, references, names)
        if vocab is not None:
            negated = lex.negation_scope(text, lang, names)
            numbers_said(text, lang, lex, vocab, attributes, intent, masked, references,
                         [(v.start, v.end) for v in named], compared)
            said, negated_values = catalog_values(text, lang, lex, vocab, intent, named, negated, masked, references)
            said_now |= said
        implied = implied_spans(text, lang, lex, attributes)  # 'quick', 'léger': a quantity the catalog has
        if values is not None:
            # a feature's own name ('无线充电', wireless charging, which some items lack) is no
            # value to find by meaning; a quantity every item has may be both ('折叠屏': foldable)
            spec_names = [(h.start, h.end) for h in attributes.find(text, masked, span_stop(lex, lang))
                          if vocab.optional(h.attribute)] if attributes is not None and vocab else []
            free_of_said(text, lang, values, lex, intent, masked)  # 'sans cuisson': no-cook
            # ... nor an adjective the lexicon says measures one of the catalog's quantities
            # ('quick' is a short time, not an easy recipe; 'léger' a low weight)
            negated_values += values_by_meaning(text, lang, values, lex, intent, masked, names,
                                                {(v.attribute, v.value) for v in named},
                                                spec_names + implied + (attribute_name_tails(text, vocab) if vocab else [])
                                                + [(a, b) for _i, a, b in in_text],
                                                [v.end for v in named if v.start in negated_values])
            # ... nor a title's words ('OPPO Find X8 Pro' holds no water rating IPX8)
        if kinds is not None and vocab is not None:
            flags_named(text, lang, lex, kinds, vocab.flags, intent, masked, names, attributes)
        if kinds is not None and earlier_values:  # 'show me OPPO' ... '别的牌子也行': any brand now
            for attr in opened_attributes(text, lang, lex, kinds, references):
                intent.values_in[:] = [x for x in intent.values_in if x[0] != attr or x not in earlier_values]
                intent.lines_in[:] = [x for x in intent.lines_in if x[0] != attr]
        grown_children(text, lang, lex, intent)
        said_now |= {(a, v) for a, v, _s in intent.semantic[semantic_before:]}
        intent.carried = [v for v in earlier_values if v in intent.values_in and v not in said_now]
        if attributes is not None and vocab is not None:
            quantities(text, lang, attributes, lex, vocab, intent, masked, names, refers, mood_words, implied)
        negation_binds_to_values(text, lang, lex, intent, negated_concepts, negated_values, names)
        if vocab is not None:
            without_means_free_of(intent, vocab, earlier_out)  # 'sans gluten': gluten-free
        intent.texts.append(residual(text, references + lex.negated_spans(text, lang, names)))
        previous_named = last_named[named_before:]
        if lang == "en":
            intent.words.extend(w for w in _plain_words(text, masked) if w not in intent.words)
    return intent



def _named_values(text: str, vocab: Vocabulary, masked: list[tuple[int, int]],
                  in_text: list[tuple[str, int, int]]) -> list[ValueMention]:
    """Catalog values the text names, less a word inside a model named, which is that
    item's, not a wish ('iPhone 16 Pro Max的5倍长焦是真好用'; 'a Nothing Phone' names no model)."""
    models = [(a, b) for _i, a, b in in_text if any(ch.isdigit() for ch in text[a:b])]
    return [v for v in vocab.find(text, masked)
            if not any(a <= v.start and v.end <= b and b - a > v.end - v.start for a, b in models)]


def _plain_words(text: str, masked: list[tuple[int, int]]) -> list[str]:
    """The English words no reader took, for matching item text word by word."""
    return [w for w, start, _end in words_with_spans(text)
            if not any(a <= start < b for a, b in masked) and w not in FILLER and len(w) >= 3 and re.match(r"[a-z]", w)]
