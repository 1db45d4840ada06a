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

from service.chat.intent_state import (FILLER, Intent, Turn, add_mood, has_content, residual, set_range,
                                       set_wanted, without_kind_words)
from service.chat.quantities import child_ages, grown_children, quantities, relatives, spec_numbers
from service.chat.references import answer_items, title_references
from service.chat.semantic import SemanticAttributes, SemanticValues
from service.chat.value_matching import (attribute_name_tails, flags_named, negated_lists, negation_binds_to_values,
                                         opened_attributes, released, span_stop, values_by_meaning)
from service.text.language import detect
from service.text.lexicon import Lexicon, lexicon
from service.text.numbers import read_numbers
from service.text.titles import TitleIndex, words_with_spans
from service.text.vocabulary import Vocabulary

_SERIES = re.compile(r"\s+([A-Z])\b(?![\'’-])")  # 'Galaxy S', 'Galaxy A': a line's series letter ('Redmi o POCO': no)

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
        masked: list[tuple[int, int]] = []
        seeds_before = len(intent.seeds)
        earlier_values = list(intent.values_in)
        said_now: set[tuple[str, str]] = set()  # values this turn names (again)
        semantic_before = len(intent.semantic)
        named_before = len(last_named)
        refs = []  # 'the second one' means something only after an answer
        for n, start, end in lex.ordinals(text, lang) if last_answer else []:
            if -len(last_answer) <= (n - 1 if n > 0 else n) < len(last_answer):
                refs.append(n)
                masked.append((start, end))
                seed = last_answer[n - 1 if n > 0 else n]
                if seed and seed not in intent.seeds:
                    intent.seeds.append(seed)
        for item_id, quoted, start, end in titles.quoted(text):
            masked.append((start, end))
            if item_id and item_id not in intent.seeds:
                intent.seeds.append(item_id)
            elif not item_id:
                intent.unresolved.append(quoted)
        in_text = titles.find_all(text)  # every title the message names
        title_references(text, lang, titles, lex, intent, masked, last_named, in_text)
        if not refs:
            negated_cue = lex.negation_scope(text, lang)
            for pos in lex.like_cues(text, lang):
                if any(a <= pos < b for a, b in masked):
                    continue
                hit = titles.resolve_after(text, pos)
                pronoun = lex.starts_with("anaphora", text[pos:], lang)
                antecedent = (last_named or [a for a in last_answer if a][:1] or [None])[-1]
                # 'like it': what was just named or shown (not the film called 'It')
                if pronoun and antecedent and (hit is None or hit[2] <= pos + pronoun):
                    masked.append((pos, pos + pronoun))
                    masked.extend((s0, e0) for _i, s0, e0 in in_text)
                    if antecedent not in intent.seeds:
                        intent.seeds.append(antecedent)
                    continue
                if hit and negated_cue(pos):  # 'not the action stuff like Underworld': an example of what is not wanted
                    item_id, start, end = hit
                    masked.append((start, end))
                    intent.shown.extend(i for i in [item_id, *titles.series(item_id)] if i not in intent.shown)
                elif hit:
                    item_id, start, end = hit
                    masked.append((start, end))
                    if item_id not in intent.seeds:
                        intent.seeds.append(item_id)
                else:
                    rest = text[pos:].strip().split(",")[0][:60]
                    if rest and lang != "zh":
                        intent.unresolved.append(rest)
        refers = bool(refs) or len(intent.seeds) > seeds_before  # this message points at an item
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
        named = vocab.find(text, masked) if vocab is not None else []
        # a word inside a model named is that item's, not a wish ('iPhone 16 Pro Max的5倍长焦是真好用';
        # 'a Nothing Phone' names no model)
        models = [(a, b) for _i, a, b in in_text if any(ch.isdigit() for ch in text[a:b])]
        named = [v for v in named if not any(a <= v.start and v.end <= b and b - a > v.end - v.start
                                             for a, b in models)]
        longer = [(v.start, v.end) for v in named]
        names = references + longer  # a negation word inside a name ('Nothing Phone') negates nothing
        negated_concepts: list[tuple[str, int]] = []
        mood_words: list[tuple[int, int]] = []  # 'léger' is a mood for films and a weight for phones
        mentions = [m for m in lex.mentions(text, lang, masked, names)
                    if not any(a <= m.start and m.end <= b and b - a > m.end - m.start for a, b in longer)]
        # 'child' inside the author 'Lee Child': the longer name wins
        asked = {m.concept for m in mentions if not m.negated}
        for m in mentions:
            if m.negated and m.concept in asked:  # 'sci-fi, but not the cheesy space opera': a part of it
                masked.append((m.start, m.end))
                continue
            if lex.concepts[m.concept].get("kind") != "mood":
                set_wanted(intent.include, intent.exclude, m.concept, m.negated)
                if not m.negated and vocab is not None and lex.concepts[m.concept].get("any"):
                    group_values(intent, lex.concepts[m.concept], vocab, lex.spans("additive", text, lang))
                if m.negated:
                    negated_concepts.append((m.concept, m.start))
            elif not m.negated and m.concept not in intent.moods:
                add_mood(intent, m.concept, lex)
            if lex.concepts[m.concept].get("kind") == "mood":
                mood_words.append((m.start, m.end))
            masked.append((m.start, m.end))
        child_ages(text, lang, lex, intent, masked, references, names)
        if vocab is not None:
            negated = lex.negation_scope(text, lang, names)
            specs = spec_numbers(text, lang, lex, vocab, attributes, intent, masked)
            references.extend(specs)
            for c in read_numbers(text, lang, lex, vocab):
                if any(v.start < c.end and c.start < v.end for v in named) or \
                        any(a < c.end and c.start < b for a, b in specs + compared):
                    continue  # '5G' is the catalog's value, '256 GB' a storage size, 'cheaper than it' relative
                set_range(intent, c)
                masked.append((c.start, c.end))
                references.append((c.start, c.end))
                # 'something newer, 2024 or later': the number said beats the comparison on its side
                side = "higher" if c.lte is None else "lower" if c.gte is None else None
                intent.relative[:] = [r for r in intent.relative if (r[0], r[1]) != (c.attribute, side)]
            adds = bool(lex.spans("additive", text, lang))
            fresh = [v for v in named if not any(a <= v.start < b for a, b in masked)]
            if not adds:  # 'actually, Lee Child instead': a new value replaces the earlier turns' ones
                for attr in {v.attribute for v in fresh if not negated(v.start)}:
                    intent.values_in[:] = [x for x in intent.values_in if x[0] != attr]
                    intent.lines_in[:] = [x for x in intent.lines_in if x[0] != attr]
            fresh = sorted(fresh, key=lambda v: v.start)
            listed = negated_lists(text, fresh, negated)
            free = released(text, lang, lex)
            brand_named: set[str] = set()  # attributes this message names a value of in full
            for v in fresh:  # catalog values the lexicon does not know (authors, brands...)
                if free(v.start):  # '不一定非得小米', 'pas forcément un Samsung': any brand now
                    intent.values_in[:] = [x for x in intent.values_in if x[0] != v.attribute]
                    intent.lines_in[:] = [x for x in intent.lines_in if x[0] != v.attribute]
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
                set_wanted(intent.values_in, intent.values_out, (v.attribute, v.value), no)
                said_now.add((v.attribute, v.value))
                if form in vocab.parts:  # 'LTPO' named several values: said so, once
                    intent.said[(v.attribute, v.value)] = text[v.start:v.end]
                masked.append((v.start, v.end))
                if no:
                    negated_values.append(v.start)
        if values is not None:
            # a feature's own name ('无线充电', wireless charging, which some items lack) is no
            # value to find by meaning; a quantity every item has may be both ('折叠屏': foldable)
            spec_names = [(h.start, h.end) for h in attributes.find(text, masked, span_stop(lex, lang))
                          if vocab.optional(h.attribute)] if attributes is not None and vocab else []
            negated_values += values_by_meaning(text, lang, values, lex, intent, masked, names,
                                                {(v.attribute, v.value) for v in named},
                                                spec_names + (attribute_name_tails(text, vocab) if vocab else [])
                                                + [(a, b) for _i, a, b in in_text])
            # ... nor a title's words ('OPPO Find X8 Pro' holds no water rating IPX8)
        if kinds is not None and vocab is not None:
            flags_named(text, lang, lex, kinds, vocab.flags, intent, masked, names)
        if kinds is not None and earlier_values:  # 'show me OPPO' ... '别的牌子也行': any brand now
            for attr in opened_attributes(text, lang, lex, kinds, references):
                intent.values_in[:] = [x for x in intent.values_in if x[0] != attr or x not in earlier_values]
                intent.lines_in[:] = [x for x in intent.lines_in if x[0] != attr]
        grown_children(text, lang, lex, intent)
        said_now |= {(a, v) for a, v, _s in intent.semantic[semantic_before:]}
        intent.carried = [v for v in earlier_values if v in intent.values_in and v not in said_now]
        if attributes is not None and vocab is not None:
            quantities(text, lang, attributes, lex, vocab, intent, masked, names, refers, mood_words)
        negation_binds_to_values(text, lang, lex, intent, negated_concepts, negated_values, names)
        intent.texts.append(residual(text, references + lex.negated_spans(text, lang, names)))
        previous_named = last_named[named_before:]
        if lang == "en":
            for w, start, _end in words_with_spans(text):
                if any(a <= start < b for a, b in masked) or w in FILLER or len(w) < 3 or not re.match(r"[a-z]", w):
                    continue
                if w not in intent.words:
                    intent.words.append(w)
    return intent


def group_values(intent: Intent, concept: dict, vocab: Vocabulary, adds) -> None:
    """'第二款那个价位，有没有带长焦的国产手机' after Google phones: a group of values ('国产':
    the Chinese brands) replaces the values earlier turns named of its attribute, unless
    the message adds to them ('also')."""
    attrs = {vocab.exact[str(v).casefold()][0] for v in concept.get("values", []) if str(v).casefold() in vocab.exact}
    if not adds:
        intent.values_in[:] = [x for x in intent.values_in if x[0] not in attrs]
