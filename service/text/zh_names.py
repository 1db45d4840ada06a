"""Names Chinese writes by meaning rather than by sound ('一加' is OnePlus, '骁龙'
Snapdragon): the lexicon's `zh_names`, read as the catalog writes the name where it has
a value named or starting so. The sound match (`names.py`) and the encoder miss them."""

from __future__ import annotations

from collections.abc import Iterable

from service.text.lexicon import Lexicon


def zh_names(lex: Lexicon, values: Iterable[tuple[str, str]], forms: Iterable[str]) -> dict[str, str]:
    """Chinese form -> the name, for the names this catalog has (a value, a value's first
    word, or a form the vocabulary reads)."""
    have = {v.split()[0].casefold() for _a, v in values if v.split()} | set(forms)
    return {cjk: latin for latin, written in lex.data.get("zh_names", {}).items()
            if latin.casefold() in have for cjk in written}


def latinize(text: str, names: dict[str, str]) -> str:
    """'想要支持无线充的一加' -> '想要支持无线充的 OnePlus ' (longest first)."""
    for cjk in sorted(names, key=len, reverse=True):
        if cjk in text:
            text = text.replace(cjk, f" {names[cjk]} ")
    return text
