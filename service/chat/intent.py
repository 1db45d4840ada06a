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
from dataclasses import dataclass, field
from functools import lru_cache

from service.chat.semantic import SemanticAttributes, SemanticValues
from service.text.language import detect, has_cjk
from service.text.lexicon import Lexicon, Spans, lexicon
from service.text.numbers import NumericConstraint, read_ages, read_numbers, read_spec_numbers
from service.text.stopwords import KIND_WORDS, STOP_WORDS, ZH_STOP
from service.text.titles import TitleIndex, normalize, words_with_spans
from service.text.vocabulary import Vocabulary

_FILLER = set("""a an the i me my we you your some something anything any one ones please want would like to
see watch read give show recommend recommendations suggest find looking look for with and or but of in on
about that this more less than not no movie movies film films book books something else another other
again can could should good great best new really very just also maybe perhaps kind sort type like
similar please thanks thank now instead rather time today tonight weekend there is are have has got loved
love liked enjoyed adored fan give it them those these dollars dollar euros euro bucks stars star rated rating
under over below above least most less more than after before since year years from
alguno alguna algún algunos algunas otro otra otros otras""".split())


_ZH_STOP = set("我你他她它们想要看读买找推荐给来一部本个款些的了吗呢吧啊请有没什么好点再换电影片书手机东西类似像这那比还更")


def has_content(text: str) -> bool:
    """Does the text say anything beyond filler words ('something like', 'give me one')?"""
    for w, _s, _e in words_with_spans(text):
        if has_cjk(w):
            if any(ch not in _ZH_STOP for ch in w):
                return True
        elif len(w) >= 3 and w not in _FILLER and not any(w in stop for stop in STOP_WORDS.values()) \
                and not w.isdigit():
            return True
    return False


def without_kind_words(text: str) -> str:
    """'un film de braquage' -> 'un de braquage': the word every item of the catalog
    is ('film', '电影') only pulls in titles that contain it, and so does a number that no
    filter took ('my 6 year old' is no 'Big Hero 6'). Kept when nothing else is left."""
    drop = [(s, e) for w, s, e in words_with_spans(text) if w in KIND_WORDS or w.isdigit()]
    drop += [(m.start(), m.end()) for w in KIND_WORDS if has_cjk(w) for m in re.finditer(re.escape(w), text)]
    out = residual(text, drop)
    return out if has_content(out) else text


def residual(text: str, drop: list[tuple[int, int]]) -> str:
    """The text with the `drop` spans taken out, spaces tidied."""
    keep = [c if not any(a <= i < b for a, b in drop) else " " for i, c in enumerate(text)]
    return re.sub(r"\s+", " ", "".join(keep)).strip(" ,.;:!?，。；：！？、")


@dataclass
class Turn:
    role: str
    content: str
    item_ids: list[str] | None = None  # what an assistant turn recommended, if the client says


@dataclass
class Intent:
    language: str = "en"
    include: list[str] = field(default_factory=list)  # concepts
    exclude: list[str] = field(default_factory=list)  # concepts
    moods: list[str] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)  # item ids the person referred to
    shown: list[str] = field(default_factory=list)  # item ids already recommended in this chat
    words: list[str] = field(default_factory=list)  # English content words of the need
    unresolved: list[str] = field(default_factory=list)  # 'like ...' text that named no title
    values_in: list[tuple[str, str]] = field(default_factory=list)  # (attribute, value) from the catalog
    values_out: list[tuple[str, str]] = field(default_factory=list)
    ranges: list[NumericConstraint] = field(default_factory=list)
    llm_values: list[tuple[str, str, float]] = field(default_factory=list)  # (attribute, value, p) the LLM read
    texts: list[str] = field(default_factory=list)  # each user turn without references, numbers, negations
    semantic: list[tuple[str, str, float]] = field(default_factory=list)  # values found by meaning, with cosine
    # comparisons with the item referred to ('cheaper than the first one'): (attribute, 'lower' | 'higher',
    # the words); the chat bounds the attribute by that item's value
    relative: list[tuple[str, str, str]] = field(default_factory=list)
    compared_with: list[str] = field(default_factory=list)  # the item referred to, else the last answer's items

    def meaning(self) -> str | None:
        """What the person asks for in their own words, for the sentence encoder: the
        latest turn that says anything beyond references ('more like the second one'
        leaves nothing, so the turn before speaks)."""
        text = next((t for t in reversed(self.texts) if has_content(t)), None)
        return without_kind_words(text) if text else None

    def covered(self) -> bool:
        """Did grammar and vocabulary read anything the request wants?"""
        return bool(self.include or self.exclude or self.moods or self.seeds or self.values_in
                    or self.values_out or self.ranges)

    def query(self, lex: Lexicon, filtered: set[str] = frozenset()) -> str | None:
        """English query words: the wishes no filter enforces (`filtered` concepts are
        enforced by filters, so their words would only pull in look-alike titles), the
        moods, and the request's own content words."""
        parts = [lex.concepts[c].get("query", c) for c in self.include if c not in filtered]
        parts += [lex.concepts[m].get("query", m) for m in self.moods]
        parts += self.words
        text = " ".join(dict.fromkeys(" ".join(parts).split()))
        return text or None


_NUMBERED = re.compile(r"^\s*\d+[.)]\s*(.+)$")
_BLURB_DASH = re.compile(r"\s+[—–-]\s+")  # '2. Memento (2000) — a blurb'


def _numbered_title(line: str, titles: TitleIndex) -> str | None:
    """The title a numbered answer line starts with: the whole line, else the line cut
    at a dash, the latest cut first ('Star Wars: Episode IV - A New Hope (1977) — ...')."""
    cuts = [m.start() for m in _BLURB_DASH.finditer(line)]
    for end in [len(line), *reversed(cuts)]:
        hit = titles.by_key.get(normalize(line[:end]))
        if hit:
            return hit
    return None
OPPOSITE_MOODS = {"lighter": "darker", "darker": "lighter"}


def _answer_items(turn: Turn, titles: TitleIndex) -> list[str | None]:
    """What an earlier answer recommended, in order: the ids the client sent back, else
    the titles of its numbered lines ('2. Memento (2000) — ...'; a line naming no known
    title keeps its place as None, so 'the second one' still means line 2), else any
    titles it names."""
    if turn.item_ids:
        return list(turn.item_ids)
    numbered = [_numbered_title(m.group(1), titles) for m in map(_NUMBERED.match, turn.content.splitlines()) if m]
    if any(numbered):
        return numbered
    return list(dict.fromkeys(i for i, _s, _e in titles.find_all(turn.content)))


def _set(include: list, exclude: list, concept, negated: bool) -> None:
    """Wanted or not (a concept, or a catalog value): the latest word on it wins."""
    add, drop = (exclude, include) if negated else (include, exclude)
    if concept in drop:
        drop.remove(concept)
    if concept not in add:
        add.append(concept)


def _add_mood(intent: Intent, mood: str, lex: Lexicon) -> None:
    """A mood replaces its opposite and overrides earlier wishes ('a horror film' ...
    'something lighter')."""
    opposite = OPPOSITE_MOODS.get(mood)
    if opposite in intent.moods:
        intent.moods.remove(opposite)
        intent.exclude[:] = [c for c in intent.exclude if c not in lex.mood_excludes(opposite)]
    intent.moods.append(mood)
    for concept in lex.mood_excludes(mood):
        _set(intent.include, intent.exclude, concept, True)


def _set_range(intent: Intent, c: NumericConstraint) -> None:
    """A later bound on the same attribute and side replaces the earlier one."""
    intent.ranges[:] = [r for r in intent.ranges
                        if not (r.attribute == c.attribute and (r.gte is None) == (c.gte is None)
                                and (r.lte is None) == (c.lte is None))]
    intent.ranges.append(c)


def _references(text: str, lang: str, titles: TitleIndex, lex: Lexicon, intent: Intent,
                masked: list[tuple[int, int]], last_named: list[str]) -> None:
    """Titles named with affection ('I loved Toy Story') become references; every title
    named is remembered as what 'like it' may point at."""
    loves = lex.spans("affection", text, lang)
    for item_id, start, end in titles.find_all(text):
        if any(a <= start < b for a, b in masked):
            continue
        last_named.append(item_id)
        if any(0 <= start - b <= 3 for _a, b in loves):  # 'loved Toy Story', 'a fan of Heat'
            masked.append((start, end))
            if item_id not in intent.seeds:
                intent.seeds.append(item_id)


@lru_cache(maxsize=16)
def _span_stop(lex: Lexicon, lang: str) -> frozenset[str]:
    """Words no span of a request may start or end with when matched by meaning."""
    return frozenset(_FILLER | STOP_WORDS["en"] | STOP_WORDS.get(lang, frozenset()) | lex.function_words(lang)
                     | ZH_STOP)


def _by_meaning(text: str, lang: str, values: SemanticValues, lex: Lexicon, intent: Intent,
                masked: list[tuple[int, int]], names: Spans = (), named: set = frozenset()) -> list[int]:
    """Catalog values the words mean but do not spell ('autoayuda' -> self-help); returns
    where the negated ones are named. `named`: (attribute, value) pairs this message
    spells out."""
    stop = _span_stop(lex, lang)
    negated = lex.negation_scope(text, lang, names)
    out = []
    for hit in values.find(text, masked, stop):
        if (hit.attribute, hit.value) in named:
            continue  # named in so many words in this message: that reading stands ('un Samsung que no sea Galaxy S')
        _set(intent.values_in, intent.values_out, (hit.attribute, hit.value), negated(hit.start))
        intent.semantic.append((hit.attribute, hit.value, round(hit.score, 3)))
        masked.append((hit.start, hit.end))
        if negated(hit.start):
            out.append(hit.start)
    return out


# what joins two values into one list ('Apple and Samsung', 'Apple, Samsung et Huawei',
# '苹果、三星'); a comma alone may also end a clause ('no Apple, Samsung is fine')
_JOIN = re.compile(r"\s*(and|or|nor|et|ou|ni|y|e|o|u|和|或|或者|与|跟|及|、|&|/)\s*")
_COMMA = re.compile(r"\s*[,，]\s*")


def _negated_lists(text: str, values: list, negated) -> set[int]:
    """Starts of values that a negation reaches through a list: in 'except Apple and
    Samsung' the negation ends its clause nowhere, but 'and' may be read as a break; a
    list whose first value is negated is negated whole. Commas join a list only when a
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
        if j > i and negated(values[i].start) and seps[-1] == "join":
            out.update(v.start for v in values[i + 1:j + 1])
        i = j + 1
    return out


CHILD_AGE = 12  # up to this age, a person's age asks for what the catalog files under children


def _ages(text: str, lang: str, lex: Lexicon, intent: Intent, masked: list[tuple[int, int]],
          references: list[tuple[int, int]], names: Spans) -> None:
    """'a movie my 6 year old can watch', 'un enfant de 8 ans', '十岁': a child's age asks
    for the children concept (and is then no word of the need; 'Big Hero 6' is no
    answer to it). An older age stays in the words the encoder reads."""
    if "children" not in lex.concepts:
        return
    negated = lex.negation_scope(text, lang, names)
    for start, end, age in read_ages(text, lang):
        if age > CHILD_AGE or any(a <= start < b for a, b in masked):
            continue
        _set(intent.include, intent.exclude, "children", negated(start))
        masked.append((start, end))
        references.append((start, end))


def _negation_binds_to_values(text: str, lang: str, lex: Lexicon, intent: Intent,
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
                    _set(intent.include, intent.exclude, concept, False)


def _spec_numbers(text: str, lang: str, lex: Lexicon, vocab: Vocabulary, attributes: SemanticAttributes | None,
                  intent: Intent, masked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """'12GB of RAM', 'más de 100W', '6.1"': a number whose unit ends a numeric attribute's
    name. Several attributes with that unit: the one the words around it name, else the
    plainest ('charging_w' before 'wireless_charging_w'). Returns the spans read."""
    out = []
    for n in read_spec_numbers(text, lang, lex, vocab):
        if any(a <= n.start < b for a, b in masked):
            continue
        attr = min(n.owners, key=len)
        if attributes is not None and len(n.owners) > 1:
            near = [h for h in attributes.find(text[max(0, n.start - 24):n.end + 24]) if h.attribute in n.owners]
            attr = near[0].attribute if near else attr
        c = (NumericConstraint(attr, n.value, None, n.start, n.end, f"{attr} >= {n.value:g}") if n.side == "min" else
             NumericConstraint(attr, None, n.value, n.start, n.end, f"{attr} <= {n.value:g}"))
        _set_range(intent, c)
        masked.append((n.start, n.end))
        out.append((n.start, n.end))
    return out


def _relatives(text: str, lang: str, lex: Lexicon, vocab: Vocabulary, intent: Intent,
               masked: list[tuple[int, int]], references: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """'cheaper than the first one', 'plus récent que le premier', 'but older': in a message
    that points at an item, the catalog's price or year on that side of the item's.
    Returns the spans read."""
    out = []
    for role, side, start, end in lex.relatives(text, lang):
        attr = vocab.roles.get(role)
        if attr is None or any(a <= start < b for a, b in masked):
            continue
        intent.relative = [r for r in intent.relative if r[0] != attr] + [(attr, side, text[start:end])]
        masked.append((start, end))
        references.append((start, end))
        out.append((start, end))
    return out


def _quantities(text: str, lang: str, attributes: SemanticAttributes, lex: Lexicon, vocab: Vocabulary,
                intent: Intent, masked: list[tuple[int, int]], names: Spans = (), refers: bool = False,
                mood_words: Spans = ()) -> None:
    """'a big battery', 'un écran grand', '电池大', 'lightweight': a numeric attribute named
    by meaning, with a word saying which way, becomes the catalog's top (or bottom)
    quarter of it; in a message that points at an item ('a bigger battery than the first
    one'), that side of the item's value. Price, rating and year are left to
    `read_numbers`."""
    refers = refers and bool(intent.seeds)
    stop = _span_stop(lex, lang)
    negated = lex.negation_scope(text, lang, names)
    skip = set(vocab.roles.values()) | {c.attribute for c in intent.ranges}
    hits = [h for h in attributes.find(text, masked, stop) if h.attribute not in skip and not negated(h.start)]
    for hit in hits:
        # a direction word goes with the nearest attribute ('屏幕刷新率要高': the refresh rate)
        lo = max([0] + [h.end for h in hits if h.end <= hit.start])
        hi = min([len(text)] + [h.start for h in hits if h.start >= hit.end])
        way = lex.direction(text[max(lo, hit.start - 14):min(hi, hit.end + 10)], lang)
        if way and refers:
            side = "higher" if way == "high" else "lower"
            intent.relative = [r for r in intent.relative if r[0] != hit.attribute] + [
                (hit.attribute, side, text[hit.start:hit.end])]
            intent.compared_with = intent.seeds[-1:]
            masked.append((hit.start, hit.end))
            continue
        q = vocab.quantile(hit.attribute, 0.75 if way == "high" else 0.25) if way else None
        if q is None:
            continue
        words = text[hit.start:hit.end]
        c = (NumericConstraint(hit.attribute, q, None, hit.start, hit.end,
                               f"{words}: {hit.attribute} >= {q:g} (top quarter)") if way == "high" else
             NumericConstraint(hit.attribute, None, q, hit.start, hit.end,
                               f"{words}: {hit.attribute} <= {q:g} (bottom quarter)"))
        _set_range(intent, c)
        masked.append((hit.start, hit.end))
    taken = [span for span in masked if span not in mood_words]
    _implied(text, lang, attributes, lex, vocab, intent, taken, negated, skip, refers)


def _implied(text: str, lang: str, attributes: SemanticAttributes, lex: Lexicon, vocab: Vocabulary,
             intent: Intent, masked: list[tuple[int, int]], negated, skip: set[str], refers: bool) -> None:
    """'un petit téléphone léger', 'a lightweight phone', '有轻一点的吗': an adjective that
    measures a quantity it does not name, read as if it had named it (the catalog's
    weight, its screen size), when the catalog has such an attribute."""
    excess = lex.spans("excess", text, lang)
    done: set[str] = set()  # attributes this loop read: a later word on one replaces an earlier
    for noun, way, start, end in lex.implied_quantities(text, lang):
        if any(a < end and start < b for a, b in masked) or negated(start):
            continue
        hits = [h for h in attributes.find(noun) if h.attribute not in skip]
        if not hits or (hits[0].attribute not in done and (
                any(c.attribute == hits[0].attribute for c in intent.ranges)
                or any(r[0] == hits[0].attribute for r in intent.relative))):
            continue
        attr, words = hits[0].attribute, text[start:end]
        done.add(attr)
        if any(0 <= start - b <= 1 for _a, b in excess):  # 'too heavy': lighter, please
            way = "low" if way == "high" else "high"
        intent.ranges[:] = [c for c in intent.ranges if c.attribute != attr]
        intent.relative[:] = [r for r in intent.relative if r[0] != attr]
        if refers:
            intent.relative.append((attr, "higher" if way == "high" else "lower", words))
            intent.compared_with = intent.seeds[-1:]
        else:
            q = vocab.quantile(attr, 0.75 if way == "high" else 0.25)
            if q is None:
                continue
            _set_range(intent, NumericConstraint(attr, q, None, start, end, f"{words}: {attr} >= {q:g} (top quarter)")
                       if way == "high" else
                       NumericConstraint(attr, None, q, start, end, f"{words}: {attr} <= {q:g} (bottom quarter)"))
        masked.append((start, end))


def parse(turns: list[Turn], titles: TitleIndex, lex: Lexicon | None = None,
          vocab: Vocabulary | None = None, values: SemanticValues | None = None,
          attributes: SemanticAttributes | None = None) -> Intent:
    lex = lex or lexicon()
    intent = Intent()
    last_answer: list[str] = []
    last_named: list[str] = []  # titles named so far, for 'like it'
    for turn in turns:
        text = turn.content.strip()
        if turn.role == "assistant":
            last_answer = _answer_items(turn, titles)
            intent.shown.extend(i for i in last_answer if i and i not in intent.shown)
            continue
        if not text:
            continue
        lang = detect(text, default=intent.language)
        intent.language = lang
        masked: list[tuple[int, int]] = []
        seeds_before = len(intent.seeds)
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
        _references(text, lang, titles, lex, intent, masked, last_named)
        if not refs:
            for pos in lex.like_cues(text, lang):
                if any(a <= pos < b for a, b in masked):
                    continue
                hit = titles.resolve_after(text, pos)
                pronoun = lex.starts_with("anaphora", text[pos:], lang)
                antecedent = (last_named or [a for a in last_answer if a][:1] or [None])[-1]
                # 'like it': what was just named or shown (not the film called 'It')
                if pronoun and antecedent and (hit is None or hit[2] <= pos + pronoun):
                    masked.append((pos, pos + pronoun))
                    masked.extend((s0, e0) for _i, s0, e0 in titles.find_all(text))
                    if antecedent not in intent.seeds:
                        intent.seeds.append(antecedent)
                    continue
                if hit:
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
        against = intent.seeds[-1:] if refers else [i for i in last_answer if i]
        compared = _relatives(text, lang, lex, vocab, intent, masked, references) if against and vocab else []
        if compared:
            intent.compared_with = against
        negated_values: list[int] = []  # where the values this turn excludes are named
        named = vocab.find(text, masked) if vocab is not None else []
        longer = [(v.start, v.end) for v in named]
        names = references + longer  # a negation word inside a name ('Nothing Phone') negates nothing
        negated_concepts: list[tuple[str, int]] = []
        mood_words: list[tuple[int, int]] = []  # 'léger' is a mood for films and a weight for phones
        for m in lex.mentions(text, lang, masked, names):
            if any(a <= m.start and m.end <= b and b - a > m.end - m.start for a, b in longer):
                continue  # 'child' inside the author 'Lee Child': the longer name wins
            if lex.concepts[m.concept].get("kind") != "mood":
                _set(intent.include, intent.exclude, m.concept, m.negated)
                if m.negated:
                    negated_concepts.append((m.concept, m.start))
            elif not m.negated and m.concept not in intent.moods:
                _add_mood(intent, m.concept, lex)
            if lex.concepts[m.concept].get("kind") == "mood":
                mood_words.append((m.start, m.end))
            masked.append((m.start, m.end))
        _ages(text, lang, lex, intent, masked, references, names)
        if vocab is not None:
            negated = lex.negation_scope(text, lang, names)
            specs = _spec_numbers(text, lang, lex, vocab, attributes, intent, masked)
            references.extend(specs)
            for c in read_numbers(text, lang, lex, vocab):
                if any(v.start < c.end and c.start < v.end for v in named) or \
                        any(a < c.end and c.start < b for a, b in specs + compared):
                    continue  # '5G' is the catalog's value, '256 GB' a storage size, 'cheaper than it' relative
                _set_range(intent, c)
                masked.append((c.start, c.end))
                references.append((c.start, c.end))
            adds = bool(lex.spans("additive", text, lang))
            fresh = [v for v in named if not any(a <= v.start < b for a, b in masked)]
            if not adds:  # 'actually, Lee Child instead': a new value replaces the earlier turns' ones
                for attr in {v.attribute for v in fresh if not negated(v.start)}:
                    intent.values_in[:] = [x for x in intent.values_in if x[0] != attr]
            fresh = sorted(fresh, key=lambda v: v.start)
            listed = _negated_lists(text, fresh, negated)
            for v in fresh:  # catalog values the lexicon does not know (authors, brands...)
                no = negated(v.start) or v.start in listed
                _set(intent.values_in, intent.values_out, (v.attribute, v.value), no)
                masked.append((v.start, v.end))
                if no:
                    negated_values.append(v.start)
        if values is not None:
            negated_values += _by_meaning(text, lang, values, lex, intent, masked, names,
                                          {(v.attribute, v.value) for v in named})
        if attributes is not None and vocab is not None:
            _quantities(text, lang, attributes, lex, vocab, intent, masked, names, refers, mood_words)
        _negation_binds_to_values(text, lang, lex, intent, negated_concepts, negated_values, names)
        intent.texts.append(residual(text, references + lex.negated_spans(text, lang, names)))
        if lang == "en":
            for w, start, _end in words_with_spans(text):
                if any(a <= start < b for a, b in masked) or w in _FILLER or len(w) < 3 or not re.match(r"[a-z]", w):
                    continue
                if w not in intent.words:
                    intent.words.append(w)
    return intent
