"""What a message points at: the items of an earlier answer ('the second one'), and
titles named with affection ('I loved Toy Story')."""

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
            intent.shown.extend(i for i in [item_id, *titles.series(item_id)] if i not in intent.shown)
        if any(0 <= start - b and _ARTICLE.fullmatch(text[b:start]) for _a, b in loves):
            # 'loved Toy Story', 'a fan of Heat', 'me gusta el Xiaomi 13T Pro'
            masked.append((start, end))
            if item_id not in intent.seeds:
                intent.seeds.append(item_id)
