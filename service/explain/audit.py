"""What a written reason does with its evidence, as numbers an evaluation can average:
does it claim anything outside the evidence, lean on empty praise, call the item another
medium, name the history item that contributed most, state a property the item really
shares with a history item it names (or with the request), stay in the language.

Used by `prompts compare` and scripts/eval_reasons.py on any text (an LLM attempt, the
service's final reason, an older version's reason), so before and after are scored alike."""

from __future__ import annotations

import re

from service.explain.claims import other_medium, unsupported, without_titles
from service.explain.evidence import Evidence, shared_values, values
from service.explain.praise import praise
from service.text.language import is_language
from service.text.lexicon import lexicon
from service.text.titles import display
from service.types import Item


def _names(text: str, title: str) -> bool:
    """Whether `text` names `title` (as a word run; a short title only as written: 'Her', not 'her')."""
    for t in {title, display(title)}:
        flags = re.IGNORECASE if len(t) >= 6 else 0
        if len(t) >= 2 and re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text, flags):
            return True
    return False


_LATIN = r"[0-9A-Za-z\u00C0-\u024F]"  # a letter that would make a value part of a longer word (not 自 in 出自X之手)


def _spelled_values(text: str, item: Item) -> set[str]:
    """The item's own catalog values (casefolded) that `text` spells as they are, e.g. an
    author's name, which no lexicon translates."""
    low = text.casefold()
    return {v.casefold() for v in values(item)
            if len(v) >= 3 and re.search(rf"(?<!{_LATIN}){re.escape(v.casefold())}(?!{_LATIN})", low)}


def _concepts_values(text: str, lang: str) -> set[str]:
    """The catalog values (casefolded) the words of `text` name, in any known language."""
    lex, out = lexicon(), set()
    for m in lex.mentions(text, lang):
        out |= {v.casefold() for v in lex.concepts[m.concept].get("values", [])}
    return out


def audit(text: str, evidence: Evidence, lang: str, item: Item, history: dict[str, Item]) -> dict:
    """`item`: the recommended item; `history`: the person's items (id -> Item)."""
    named = [h for h in history.values() if h.item_id != item.item_id and _names(text, h.title)]
    claim = unsupported(text, evidence, lang, tuple(h.title for h in named))
    bare = without_titles(text, evidence, tuple(h.title for h in named))
    said = _concepts_values(bare, lang) | _spelled_values(bare, item)
    shares = any(said & {v.casefold() for v in shared_values(item, h)} for h in named) or bool(
        said & {v.casefold() for v in evidence.asked})
    top = evidence.top
    return {
        "claim_outside_evidence": claim is not None,
        "claim": claim,
        "empty_praise": bool(praise(text)),
        "wrong_medium": other_medium(bare, evidence, lang) is not None,  # counted even behind another claim
        "names_history": bool(named),
        "names_top": bool(top and _names(text, top.title)),
        "states_shared_property": shares,
        "in_language": is_language(bare, lang),
        "english_aside": "(facts:" in text,
    }
