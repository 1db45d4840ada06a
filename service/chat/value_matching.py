"""Catalog values in a message: found by meaning when the words do not spell them, and
the negations that reach them (through a list, or through a kind word: 'no Samsung
phones')."""

from __future__ import annotations

import re
from functools import lru_cache

from service.chat.intent_state import FILLER, Intent, set_wanted
from service.chat.semantic import SemanticAttributes, SemanticValues, free_of
from service.text.language import has_cjk
from service.text.lexicon import Lexicon, Spans
from service.text.stopwords import STOP_WORDS, ZH_STOP
from service.text.titles import words_with_spans
from service.text.vocabulary import Vocabulary


# a value found by meaning this close stands like one spelled out ('安卓' -> Android, 0.71); below
# it, it rules no items out and does not join a value the message spells
SURE_BY_MEANING = 0.65
FAR_BEHIND = 0.15  # a value by meaning this far below another of its attribute, read from the same message, is noise

@lru_cache(maxsize=16)
def span_stop(lex: Lexicon, lang: str) -> frozenset[str]:
    """Words no span of a request may start or end with when matched by meaning."""
    return frozenset(FILLER | STOP_WORDS["en"] | STOP_WORDS.get(lang, frozenset()) | lex.function_words(lang)
                     | ZH_STOP)


_WORD = re.compile(r"[^\W\d_]+")


def attribute_name_tails(text: str, vocab) -> list[tuple[int, int]]:
    """The word right after a numeric attribute's own name ('battery life', 'screen size',
    'refresh rate'): part of that noun phrase, so not a value to find by meaning ('life'
    is near the brand vivo, Spanish for 'alive')."""
    names = {t for name in vocab.numeric for t in re.split(r"[_\s-]+", name.casefold()) if len(t) >= 4}
    words = list(_WORD.finditer(text))
    return [(b.start(), b.end()) for a, b in zip(words, words[1:])
            if a.group().casefold() in names and text[a.end():b.start()] == " "]


def values_by_meaning(text: str, lang: str, values: SemanticValues, lex: Lexicon, intent: Intent,
                      masked: list[tuple[int, int]], names: Spans = (), named: set = frozenset(),
                      skip: list[tuple[int, int]] = (), negated_ends: list[int] = ()) -> list[int]:
    """Catalog values the words mean but do not spell ('autoayuda' -> self-help); returns
    where the negated ones are named. `named`: (attribute, value) pairs this message
    spells out; `skip`: spans no value is read from (that later readers may still use)."""
    stop = span_stop(lex, lang)
    in_scope = lex.negation_scope(text, lang, names)

    def negated(pos: int) -> bool:
        # ... or the last of a list a negation reaches ('nothing from France, Italy, Spain
        # or the US': the US read by meaning after values spelled and ruled out)
        return in_scope(pos) or any(_JOIN.fullmatch(text[e:pos].casefold()) for e in negated_ends if e <= pos)
    out = []
    hits = [h for h in values.find(text, [*masked, *skip], stop) if not _the_word_freed(values, text, h)]
    # a value is asked for by a sure reading, ruled out by a sure negated one; an unsure
    # reading elsewhere in the message overrules neither ('pas de vin doux' stays out)
    asked = {(h.attribute, h.value) for h in hits if not negated(h.start) and h.score >= SURE_BY_MEANING}
    ruled = {(h.attribute, h.value) for h in hits if negated(h.start) and h.score >= SURE_BY_MEANING}
    best: dict[str, float] = {}
    for h in hits:
        if not negated(h.start):
            best[h.attribute] = max(h.score, best.get(h.attribute, 0.0))
    spelled = {a for a, _v in named}
    free = released(text, lang, lex)
    for hit in hits:
        if free(hit.start) and hit.score >= SURE_BY_MEANING:  # '不一定非得苹果': any brand
            intent.values_in[:] = [x for x in intent.values_in if x[0] != hit.attribute]
            masked.append((hit.start, hit.end))
            continue
        if (hit.attribute, hit.value) in named:
            continue  # named in so many words in this message: that reading stands ('un Samsung que no sea Galaxy S')
        if hit.attribute in spelled and hit.score < SURE_BY_MEANING:
            # 'I want an Xperia (Sony). which ones actually have...': the message spells
            # the brand it means; an unsure second one by meaning is a word read too far
            masked.append((hit.start, hit.end))
            continue
        if not negated(hit.start) and (hit.score < best[hit.attribute] - FAR_BEHIND or (
                (hit.attribute, hit.value) in ruled and hit.score < SURE_BY_MEANING)):
            # 'un postre fácil ... en una hora como mucho': easy (0.87), not also hard (0.57)
            masked.append((hit.start, hit.end))
            continue
        if negated(hit.start) and ((hit.attribute, hit.value) in asked or hit.score < SURE_BY_MEANING):
            # '想看越战题材的电影 ... 别给我推只有一段越战戏的': a part of what the message asks;
            # or a reading too unsure to rule items out ('戏' as Drama)
            masked.append((hit.start, hit.end))
            continue
        set_wanted(intent.values_in, intent.values_out, (hit.attribute, hit.value), negated(hit.start))
        intent.semantic.append((hit.attribute, hit.value, round(hit.score, 3)))
        masked.append((hit.start, hit.end))
        if negated(hit.start):
            out.append(hit.start)
    return out



def _the_word_freed(values: SemanticValues, text: str, hit) -> bool:
    """Is `hit` a value saying 'without' found by the very word it is without ('cook' ->
    no-cook, 'gluten' -> gluten-free)? That word means itself, not its absence."""
    stem = free_of(hit.value)
    if not stem:
        return False
    rows, stems = values.free_of_stems()
    vec = stems[rows.index(values.keys.index((hit.attribute, hit.value)))]
    about = float(values.embedder.embed([text[hit.start:hit.end]])[0] @ vec)
    # ... nor words about something else, close to it by its 'no' alone ('不辣' is no no-cook)
    return about >= hit.score or about < ABOUT_IT


def released(text: str, lang: str, lex: Lexicon, within: int = 12):
    """Where a value stands right after words that let it go ('不一定非得小米', "doesn't
    have to be a Samsung", 'pas forcément un Samsung'): a predicate on its start."""
    spans = lex.spans("not_necessarily", text, lang)

    def free(pos: int) -> bool:
        return any(0 <= pos - b <= within and not _CLAUSE.search(text[b:pos]) for _a, b in spans)
    return free


ANY_WITHIN = 12  # characters between an 'any' word and the attribute's name ('any other brand', '品牌都行')
_CLAUSE = re.compile(r"[,.;:!?，。；：！？]")


def opened_attributes(text: str, lang: str, lex: Lexicon, kinds: SemanticAttributes, masked: Spans = ()) -> list[str]:
    """Categorical attributes the message opens to any value: their name ('brand',
    '牌子', 'marque', found by meaning) with an 'any' word beside it in the same clause
    ('can be any brand', '别的牌子也行', 'la marca me da igual')."""
    anys = lex.spans("any_value", text, lang)
    if not anys:
        return []
    out = []
    for hit in kinds.find(text, masked, span_stop(lex, lang)):
        for a, b in anys:
            gap = text[b:hit.start] if b <= hit.start else text[hit.end:a] if hit.end <= a else None
            if gap is not None and len(gap) <= ANY_WITHIN and not _CLAUSE.search(gap) and hit.attribute not in out:
                out.append(hit.attribute)
    return out


def flags_named(text: str, lang: str, lex: Lexicon, kinds: SemanticAttributes, flags: dict[str, str],
                intent: Intent, masked: list[tuple[int, int]], names: Spans = (),
                quantities: SemanticAttributes | None = None) -> None:
    """A yes / no attribute named ('tap to pay (nfc)', 'avec NFC', '支持NFC') is one to have;
    under a negation ('no NFC needed'), one to lack. `flags`: the catalog's yes / no
    attributes, each with its 'yes' value (`Vocabulary.flags`). Words that name a numeric
    attribute at least as well (`quantities`) are about it: 'a 14 inch screen' in a shop
    with `screen` and `touchscreen` asks no touchscreen."""
    if not flags:
        return
    stop = span_stop(lex, lang)
    negated = lex.negation_scope(text, lang, names)
    numeric = [(h.start, h.end, h.score) for h in quantities.find(text, masked, stop)] if quantities else []
    for hit in kinds.find(text, masked, stop):
        yes = flags.get(hit.attribute)
        if yes is None or any(a < hit.end and hit.start < b and score >= hit.score
                              and not _content(text[hit.start:a] + " " + text[b:hit.end], stop)
                              for a, b, score in numeric):
            continue  # 'un écran à 144 Hz': the screen's words, no touchscreen ('pantalla táctil' is one)
        set_wanted(intent.values_in, intent.values_out, (hit.attribute, yes), negated(hit.start))
        masked.append((hit.start, hit.end))


def _content(text: str, stop: frozenset[str]) -> bool:
    """Does `text` hold a word that says something (not a stop word, nor a Latin word of
    two letters or fewer: 'à', 'de', 'of')?"""
    return any(w not in stop and (len(w) > 2 or has_cjk(w)) for w, _s, _e in words_with_spans(text))


# what joins two values into one list ('Apple and Samsung', 'Apple, Samsung et Huawei',
# '苹果、三星'); a comma alone may also end a clause ('no Apple, Samsung is fine')
_JOIN = re.compile(r"\s*(and|or|nor|et|ou|ni|y|e|o|u|和|或|或者|与|跟|及|、|&|/)\s*(?:(?:the|la|le|les|l'|el|los|las)\s*)?")
_COMMA = re.compile(r"\s*[,，]\s*(?:(?:the|la|le|les|l'|l’|el|los|las)\s*)?")
_JOIN_NEXT = re.compile(r"\s*(?:or|and|nor|et|ou|ni|y|o|u|和|或|或者)\s*\w", re.IGNORECASE)


def negated_lists(text: str, values: list, negated) -> set[int]:
    """Starts of values that a negation reaches through a list: in 'except Apple and
    Samsung' the negation ends its clause nowhere, but 'and' may be read as a break; a
    list whose first value is negated is negated whole, and so is one whose last is
    negated by a negation after it ('天玑、联发科的就算了'). Commas join a list only when a
    conjunction ends it ('sauf Apple, Samsung et Huawei')."""
    out: set[int] = set()
    i = 0
    while i < len(values):
        j, seps = i, []
        while j + 1 < len(values):
            gap = text[values[j].end:values[j + 1].start].casefold()
            if _JOIN.fullmatch(gap):
                seps.append("join")
            elif _COMMA.fullmatch(gap):
                seps.append("comma")
            else:
                break
            j += 1
        if j > i and seps[-1] == "comma" and _JOIN_NEXT.match(text, values[j].end):
            seps.append("join")  # 'France, Italy, Spain or the US': a list whose last is no value spelled
        if j > i and negated(values[i].start) and seps[-1] == "join":
            out.update(v.start for v in values[i + 1:j + 1])
        elif j > i and negated(values[j].start) and not negated(values[i].start) and seps[-1] == "join":
            out.update(v.start for v in values[i:j])  # '天玑、联发科的就算了': a negation that ends the list
        i = j + 1
    return out


def negation_binds_to_values(text: str, lang: str, lex: Lexicon, intent: Intent,
                             negated_concepts: list[tuple[str, int]], negated_values: list[int],
                             names: Spans = ()) -> None:
    """'不要苹果的手机', 'no Samsung phones': a negation that governs a catalog value and a
    kind word excludes the value; the kind word is what the person still wants."""
    if not negated_values or not negated_concepts:
        return
    for a, b in lex.negated_spans(text, lang, names):
        if any(a <= v < b for v in negated_values):
            for concept, start in negated_concepts:
                if a <= start < b:
                    set_wanted(intent.include, intent.exclude, concept, False)


def _stem(word: str) -> str:
    word = word.casefold()
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


_AFTER_NEGATION = re.compile(r"\s*([^\W\d_]+(?:['’-][^\W\d_]+)*)(\s+[^\W\d_]+)?(\s+[^\W\d_]+)?", re.UNICODE)
SURE_FREE_OF = 0.68
ABOUT_IT = 0.45  # a span this far from what a 'without' value is free of is about something else


def free_of_said(text: str, lang: str, values: SemanticValues, lex: Lexicon, intent: Intent,
                 masked: list[tuple[int, int]]) -> None:
    """A negation and the words after it meaning what a value says its items are without
    ('sans cuisson': cooking, no-cook; 'sin gluten', 'sans produits laitiers', 'lactose
    intolerant'): that value, wanted. The words are compared with what the value is free
    of ('cook', 'dairy'), not with the value, whose 'no' is close to any 'no ...'."""
    rows, stems = values.free_of_stems()
    if not rows:
        return
    stop = span_stop(lex, lang)
    for a, b in lex.spans("negation", text, lang):
        while (w := re.match(r"\s*([^\W\d_]+)", text[b:])) and w.group(1).casefold() in stop:
            b += w.end()  # 'intolérante au lactose', 'allergic to nuts': past 'au', 'to'
        m = _AFTER_NEGATION.match(text, b)
        if not m or any(x < m.end() and a < y for x, y in masked):
            continue
        start = m.start(1)
        if has_cjk(text[start:start + 1]):  # '不含乳制品的汤': two to four characters
            run = re.match(r"[\u4e00-\u9fff]+", text[start:]).group()
            ends = [start + n for n in (2, 3, 4) if n <= len(run)] or [start + len(run)]
        else:
            ends = [m.end(g) for g in (1, 2, 3) if m.group(g)]
        sims = values.embedder.embed([text[start:e] for e in ends]) @ stems.T
        i, j = divmod(int(sims.argmax()), len(rows))
        second = float(sorted(sims[i])[-2]) if len(rows) > 1 else 0.0
        if sims[i, j] >= SURE_FREE_OF and sims[i, j] - second >= values.margin:
            key = values.keys[rows[j]]
            set_wanted(intent.values_in, intent.values_out, key, False)
            intent.semantic.append((*key, round(float(sims[i, j]), 3)))
            masked.append((a, ends[i]))


def without_means_free_of(intent: Intent, vocab: Vocabulary, before: list) -> None:
    """A value that says 'without' is wanted when the words say without ('sans gluten' ->
    gluten-free, 'no cooking' -> no-cook), and what is left out, where the catalog has a
    value free of it, asks for that value too ('a nut allergy': not nuts, and nut-free)."""
    freed = {}
    for attr, value in vocab.values:
        stem = free_of(value)
        if stem:
            freed.setdefault(_stem(stem), (attr, value))
    if not freed:
        return
    for attr, value in [x for x in intent.values_out if x not in before]:
        if free_of(value):
            set_wanted(intent.values_in, intent.values_out, (attr, value), False)
        elif _stem(value) in freed:
            set_wanted(intent.values_in, intent.values_out, freed[_stem(value)], False)
