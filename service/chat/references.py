"""What a message points at: the items of an earlier answer ('the second one'), titles
quoted, named with affection ('I loved Toy Story') or after a 'like' cue ('something
like Heat', 'like it')."""

from __future__ import annotations

import re

from service.chat.intent_state import Intent, Turn
from service.text.lexicon import Lexicon
from service.text.titles import TitleIndex, normalize

_NUMBERED = re.compile(r"^\s*\d+[.)]\s*(.+)$")
_ARTICLE = re.compile(r"\s*(?:(?:the|a|an|my|le|la|les|l'|un|une|mon|ma|el|los|las|una|mi)\s+)?", re.IGNORECASE)
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


def answer_items(turn: Turn, titles: TitleIndex) -> list[str | None]:
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


def title_references(text: str, lang: str, titles: TitleIndex, lex: Lexicon, intent: Intent,
                     masked: list[tuple[int, int]], last_named: list[str], named: list[tuple[str, int, int]]) -> None:
    """Titles named with affection ('I loved Toy Story') become references; every title
    named is remembered as what 'like it' may point at; one named under a negation ('seen
    all the Lord of the Rings already') is left out of the answer, with its sequels.
    `named`: the titles the text names (`TitleIndex.find_all`)."""
    loves = lex.spans("affection", text, lang)
    negated = lex.negation_scope(text, lang)
    for item_id, start, end in named:
        if any(a <= start < b for a, b in masked):
            continue
        last_named.append(item_id)
        if negated(start):  # 'I've already seen all the Lord of the Rings': not them, nor their sequels
            _left_out(intent, titles, item_id)
        if any(0 <= start - b and _ARTICLE.fullmatch(text[b:start]) for _a, b in loves):
            # 'loved Toy Story', 'a fan of Heat', 'me gusta el Xiaomi 13T Pro'
            masked.append((start, end))
            _seed(intent, item_id)


def item_references(text: str, lang: str, titles: TitleIndex, lex: Lexicon, intent: Intent,
                    masked: list[tuple[int, int]], last_answer: list[str | None], last_named: list[str],
                    in_text: list[tuple[str, int, int]]) -> bool:
    """Every item the message points at becomes a seed (or, named as an example of what is
    not wanted, an item left out); the spans are masked. Returns whether it points at an
    earlier answer's item by its place ('the second one')."""
    refs = []  # 'the second one' means something only after an answer
    for n, start, end in lex.ordinals(text, lang) if last_answer else []:
        if -len(last_answer) <= (n - 1 if n > 0 else n) < len(last_answer):
            refs.append(n)
            masked.append((start, end))
            _seed(intent, last_answer[n - 1 if n > 0 else n])
    for item_id, quoted, start, end in titles.quoted(text):
        masked.append((start, end))
        if item_id:
            _seed(intent, item_id)
        else:
            intent.unresolved.append(quoted)
    title_references(text, lang, titles, lex, intent, masked, last_named, in_text)
    if not refs:
        _liked(text, lang, titles, lex, intent, masked, last_answer, last_named, in_text)
    return bool(refs)


def _seed(intent: Intent, item_id: str | None) -> None:
    if item_id and item_id not in intent.seeds:
        intent.seeds.append(item_id)


def _left_out(intent: Intent, titles: TitleIndex, item_id: str) -> None:
    """An item not wanted, with its sequels ('not the Lord of the Rings')."""
    intent.shown.extend(i for i in [item_id, *titles.series(item_id)] if i not in intent.shown)


def _liked(text: str, lang: str, titles: TitleIndex, lex: Lexicon, intent: Intent, masked: list[tuple[int, int]],
           last_answer: list[str | None], last_named: list[str], in_text: list[tuple[str, int, int]]) -> None:
    """'something like Heat', 'like it' (what was just named or shown), and under a negation
    an example of what is not wanted ('not the action stuff like Underworld')."""
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
            _seed(intent, antecedent)
            continue
        if hit and negated_cue(pos):  # an example of what is not wanted: not it, nor its sequels
            item_id, start, end = hit
            masked.append((start, end))
            _left_out(intent, titles, item_id)
        elif hit:
            item_id, start, end = hit
            masked.append((start, end))
            _seed(intent, item_id)
        else:
            rest = text[pos:].strip().split(",")[0][:60]
            if rest and lang != "zh":
                intent.unresolved.append(rest)
