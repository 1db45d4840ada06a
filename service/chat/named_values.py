"""Catalog values a message names in full (authors, brands, chipsets... the values the
lexicon does not know): wanted or not, a later one replacing an earlier turn's, a part of
a brand named by its line ('un Redmi', 'a poco F'), a value let go of ('pas forcément un
Samsung')."""

from __future__ import annotations

import re

from service.chat.intent_state import Intent, set_wanted
from service.chat.value_matching import negated_lists, released
from service.text.lexicon import Lexicon
from service.text.vocabulary import ValueMention, Vocabulary

_SERIES = re.compile(r"\s+([A-Z])\b(?![\'’-])")  # 'Galaxy S', 'Galaxy A': a line's series letter ('Redmi o POCO': no)
Spans = list[tuple[int, int]]


def catalog_values(text: str, lang: str, lex: Lexicon, vocab: Vocabulary, intent: Intent, named: list[ValueMention],
                   negated, masked: Spans, references: Spans) -> tuple[set[tuple[str, str]], list[int]]:
    """Reads the values `named` that no earlier reader masked into `intent`. `negated(pos)`:
    is a word at `pos` under a negation. Returns the values named (again) and where the
    negated ones are."""
    said_now: set[tuple[str, str]] = set()
    negated_values: list[int] = []
    fresh = [v for v in named if not any(a <= v.start < b for a, b in masked)]
    if not lex.spans("additive", text, lang):  # 'actually, Lee Child instead': a new value replaces the earlier turns' ones
        for attr in {v.attribute for v in fresh if not negated(v.start)}:
            _forget(intent, attr)
    fresh = sorted(fresh, key=lambda v: v.start)
    listed = negated_lists(text, fresh, negated)
    free = released(text, lang, lex)
    brand_named: set[str] = set()  # attributes this message names a value of in full
    ruled_out: set[tuple[str, str]] = set()  # values this message negates ('nothing with chicken ... had chicken all week')
    for v in fresh:
        if free(v.start):  # '不一定非得小米', 'pas forcément un Samsung': any brand now
            _forget(intent, v.attribute)
            masked.append((v.start, v.end))
            references.append((v.start, v.end))  # nor a word of the need
            continue
        no = negated(v.start) or v.start in listed
        form = text[v.start:v.end].casefold()
        # a part of a brand ('Redmi'; a whole line only with its series letter: 'galaxy S'),
        # which no value filter can say: the titles that name it
        series = _SERIES.match(text, v.end) if form in vocab.lines else None
        part = form + (" " + series.group(1).casefold() if series else "") \
            if form in vocab.partial_lines or series else None
        if no and (form in vocab.partial_lines or form in vocab.lines and any(
                (w.attribute, w.value) == (v.attribute, v.value) and not negated(w.start) for w in fresh)):
            # 'pas un Redmi', 'un Samsung que no sea de la serie Galaxy S': left out
            if part and part not in intent.lines_out:
                intent.lines_out.append(part)
            intent.lines_in[:] = [x for x in intent.lines_in if x[1] != part]
            masked.append((v.start, series.end() if series else v.end))
            continue
        if part and not no and v.attribute not in brand_named:  # 'a poco F', 'un Redmi': only those
            intent.lines_in[:] = [x for x in intent.lines_in if x[1] != part] + [(v.attribute, part)]
            masked.append((v.start, series.end() if series else v.end))
        if not no and not part and form not in vocab.lines:  # 'Xiaomi ... también Redmi o POCO': all of it
            intent.lines_in[:] = [x for x in intent.lines_in if x[0] != v.attribute]
            brand_named.add(v.attribute)
        if no:
            ruled_out.add((v.attribute, v.value))
        elif (v.attribute, v.value) in ruled_out:
            masked.append((v.start, v.end))  # named again after it was ruled out: the reason, not a wish
            continue
        set_wanted(intent.values_in, intent.values_out, (v.attribute, v.value), no)
        said_now.add((v.attribute, v.value))
        if form in vocab.parts:  # 'LTPO' named several values: said so, once
            intent.said[(v.attribute, v.value)] = text[v.start:v.end]
        masked.append((v.start, v.end))
        if no:
            negated_values.append(v.start)
    return said_now, negated_values


def _forget(intent: Intent, attr: str) -> None:
    """The values (and lines) earlier turns named of `attr`."""
    intent.values_in[:] = [x for x in intent.values_in if x[0] != attr]
    intent.lines_in[:] = [x for x in intent.lines_in if x[0] != attr]
