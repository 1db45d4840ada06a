"""Numbers and quantities in a message: a child's age, spec numbers with a unit ('12GB
of RAM'), comparisons with an item referred to ('cheaper than the first one') and
quantities named by meaning with a direction ('a big battery', 'lightweight')."""

from __future__ import annotations

from service.chat.intent_state import Intent, set_range, set_wanted
from service.chat.semantic import SemanticAttributes
from service.chat.value_matching import span_stop
from service.text.ages import read_ages
from service.text.lexicon import Lexicon, Spans
from service.text.numbers import NumericConstraint, read_numbers
from service.text.units import read_spec_numbers
from service.text.vocabulary import Vocabulary

AFTER_NAME = 16  # how far after a quantity's name its direction word may stand ('charges really fast')
CHILD_AGE = 12  # up to this age, a person's age asks for what the catalog files under children


def child_ages(text: str, lang: str, lex: Lexicon, intent: Intent, masked: list[tuple[int, int]],
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
        set_wanted(intent.include, intent.exclude, "children", negated(start))
        masked.append((start, end))
        references.append((start, end))


def grown_children(text: str, lang: str, lex: Lexicon, intent: Intent) -> None:
    """'mi hijo de 15 años', 'my 16 year old daughter': a son or a daughter, but no longer a
    child; when every age the message gives is past CHILD_AGE, nothing it read as the
    children concept (or one of its catalog values) stands."""
    ages = read_ages(text, lang)
    if not ages or any(age <= CHILD_AGE for _s, _e, age in ages) or "children" not in lex.concepts:
        return
    kids = {v.casefold() for v in lex.concepts["children"].get("values", [])}
    intent.include[:] = [c for c in intent.include if c != "children"]
    intent.values_in[:] = [(a, v) for a, v in intent.values_in if v.casefold() not in kids]


def spec_numbers(text: str, lang: str, lex: Lexicon, vocab: Vocabulary, attributes: SemanticAttributes | None,
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
        attr = bound_of(attr, n.owners, n.side, n.base)
        c = (NumericConstraint(attr, n.value, None, n.start, n.end, f"{attr} >= {n.value:g}") if n.side == "min" else
             NumericConstraint(attr, None, n.value, n.start, n.end, f"{attr} <= {n.value:g}"))
        set_range(intent, c)
        masked.append((n.start, n.end))
        out.append((n.start, n.end))
    return out


def numbers_said(text: str, lang: str, lex: Lexicon, vocab: Vocabulary, attributes: SemanticAttributes | None,
                 intent: Intent, masked: list[tuple[int, int]], references: list[tuple[int, int]],
                 values: list[tuple[int, int]], compared: list[tuple[int, int]]) -> None:
    """Spec numbers ('12GB'), then budgets, ratings and years ('under 300', 'after 2010'),
    into `intent`'s ranges, their spans masked. Not a number inside a catalog value named
    (`values`: '5G'), a spec size, or a comparison with an item (`compared`: 'cheaper than it')."""
    specs = spec_numbers(text, lang, lex, vocab, attributes, intent, masked)
    references.extend(specs)
    for c in read_numbers(text, lang, lex, vocab):
        if any(a < c.end and c.start < b for a, b in values + specs + compared):
            continue
        set_range(intent, c)
        masked.append((c.start, c.end))
        references.append((c.start, c.end))
        # 'something newer, 2024 or later': the number said beats the comparison on its side
        side = "higher" if c.lte is None else "lower" if c.gte is None else None
        intent.relative[:] = [r for r in intent.relative if (r[0], r[1]) != (c.attribute, side)]


def bound_of(attr: str, owners: list[str], side: str, base: bool = False) -> str:
    """An item sold in several sizes has a smallest and a largest ('storage_min_gb',
    'storage_max_gb'): 'at least 1 TB' asks that its largest reach it, 'at most 128 GB'
    that its smallest stay under it; 'starting at 512 GB' ('512G起步') that its smallest
    (the base model) reach it."""
    words = attr.split("_")
    for i, w in enumerate(words):
        if w in ("min", "max"):
            want = "min" if base or side == "max" else "max"
            other = "_".join(words[:i] + [want] + words[i + 1:])
            return other if other in owners else attr
    return attr


def relatives(text: str, lang: str, lex: Lexicon, vocab: Vocabulary, intent: Intent,
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


def quantities(text: str, lang: str, attributes: SemanticAttributes, lex: Lexicon, vocab: Vocabulary,
               intent: Intent, masked: list[tuple[int, int]], names: Spans = (), refers: bool = False,
               mood_words: Spans = (), implied: Spans = ()) -> None:
    """'a big battery', 'un écran grand', '电池大', 'lightweight': a numeric attribute named
    by meaning, with a word saying which way, becomes the catalog's top (or bottom)
    quarter of it; in a message that points at an item ('a bigger battery than the first
    one'), that side of the item's value. Price, rating and year are left to
    `read_numbers`."""
    refers = refers and bool(intent.seeds)
    stop = span_stop(lex, lang)
    negated = lex.negation_scope(text, lang, names)
    skip = set(vocab.roles.values()) | {c.attribute for c in intent.ranges}
    # 'no tiene carga inalámbrica ... ¿algo que sí la tenga?': a feature said to be missing, then asked for
    wanted_after = [a for a, _b in lex.spans("has_it", text, lang)]
    hits = [h for h in attributes.find(text, masked, stop) if h.attribute not in skip and (
        not negated(h.start) or vocab.optional(h.attribute) and any(a > h.end for a in wanted_after))]
    breaks = lex.clause_breaks(text, lang)  # '电池大一点，屏幕小': each quantity's own clause
    # a direction word is not read past a number read with its own comparison, nor out of
    # a phrase that says no way ('echo de menos un teleobjetivo': I miss one)
    spec_spans = [(c.start, c.end) for c in intent.ranges if c.end > c.start] + lex.spans(
        "direction_neutral", text, lang) + list(implied)  # 'rápido' is a short time (`implied_spans`)
    for hit in hits:
        # a direction word goes with the nearest attribute ('屏幕刷新率要高': the refresh rate),
        # at any of the places the attribute is named ('刷新率多少？有没有刷新率更高的')
        way = None
        for start in _occurrences(text, text[hit.start:hit.end], hit.start):
            end = start + hit.end - hit.start
            lo = max([0] + [h.end for h in hits if h.end <= start] + [b + 1 for b in breaks if b < start]
                     + [b for a, b in spec_spans if b <= start])
            hi = min([len(text)] + [h.start for h in hits if h.start >= end] + [b for b in breaks if b >= end]
                     + [a for a, b in spec_spans if a >= end])
            # (not the name's own words: '长焦' is no 'long' one)
            way = lex.direction(text[max(lo, start - 14):start] + " " + text[end:min(hi, end + AFTER_NAME)], lang)
            if way:
                break
        if way and refers:
            side = "higher" if way == "high" else "lower"
            intent.relative = [r for r in intent.relative if r[0] != hit.attribute] + [
                (hit.attribute, side, text[hit.start:hit.end])]
            intent.compared_with = intent.seeds[-1:]
            masked.append((hit.start, hit.end))
            continue
        words = text[hit.start:hit.end]
        if not way and vocab.optional(hit.attribute):
            # 'avec la recharge sans fil', 'que tenga carga inalámbrica', '支持无线充电': has it
            set_range(intent, NumericConstraint(hit.attribute, HAS, None, hit.start, hit.end,
                                                f"{words}: {hit.attribute} > 0"))
            masked.append((hit.start, hit.end))
            continue
        q = vocab.quantile(hit.attribute, 0.75 if way == "high" else 0.25) if way else None
        if q is None:
            continue
        c = (NumericConstraint(hit.attribute, q, None, hit.start, hit.end,
                               f"{words}: {hit.attribute} >= {q:g} (top quarter)", guess=True, level=0.75) if way == "high" else
             NumericConstraint(hit.attribute, None, q, hit.start, hit.end,
                               f"{words}: {hit.attribute} <= {q:g} (bottom quarter)", guess=True, level=0.25))
        set_range(intent, c)
        masked.append((hit.start, hit.end))
    taken = [span for span in masked if span not in mood_words]
    _implied(text, lang, attributes, lex, vocab, intent, taken, negated, skip, refers)


HAS = 1e-6  # more than 0: has it


def _occurrences(text: str, words: str, first: int) -> list[int]:
    """Where `words` stand in `text`: the matched place first, then the others in order."""
    out, at = [first], text.find(words)
    while at >= 0:
        if at != first:
            out.append(at)
        at = text.find(words, at + 1)
    return out


def implied_spans(text: str, lang: str, lex: Lexicon, attributes: SemanticAttributes | None) -> Spans:
    """Where adjectives stand that measure one of the catalog's quantities without naming
    it ('quick': a short time; 'léger': a low weight), in a catalog that has it."""
    return [(a, b) for noun, _w, a, b in lex.implied_quantities(text, lang)
            if attributes is not None and attributes.find(noun)]


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
            set_range(intent, NumericConstraint(attr, q, None, start, end, f"{words}: {attr} >= {q:g} (top quarter)",
                                                guess=True, level=0.75) if way == "high" else
                      NumericConstraint(attr, None, q, start, end, f"{words}: {attr} <= {q:g} (bottom quarter)",
                                        guess=True, level=0.25))
        masked.append((start, end))
