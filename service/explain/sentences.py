"""The evidence sentence: one reason, built from an Evidence record only, in the person's
language. It is what a reason says when the model's phrasing fails a check, and the
default where the model's phrasing measured worse (docs/prompts.md). Catalog values are
shown with the lexicon's label in the language (Sci-Fi -> science-fiction, 科幻)."""

from __future__ import annotations

from service.explain.evidence import Contributor, Evidence
from service.text.lexicon import lexicon
from service.text.titles import display

TEMPLATES = {
    "en": {"and": " and ", "genre": "the {x} genre", "genres": "the {x} genres",
           "shares_asked": "{item} shares {shared} with {anchor}, as you asked.",
           "co_liked_asked": "People who enjoyed {anchor} often pick {item} too.", "shares": "{item} shares {shared} with {anchor}, which you enjoyed.",
           "co_liked": "People who enjoyed {anchor}, as you did, often pick {item} too.",
           "also": " Like {other}, it is in {shared}.",
           "by": "{item} is by {x}, like {anchor}, which you enjoyed.",
           "by_asked": "{item} is by {x}, like {anchor}, as you asked.", "also_by": " Like {other}, it is by {x}.",
           "asked": "It matches what you asked for: {asked}.", "none": "A popular pick in this catalog."},
    "fr": {"and": " et ", "genre": "le genre {x}", "genres": "les genres {x}",
           "shares_asked": "{item} partage {shared} avec {anchor}, comme vous l'avez demandé.",
           "co_liked_asked": "Ceux qui ont aimé {anchor} choisissent souvent {item} aussi.", "shares": "{item} partage {shared} avec {anchor}, que vous avez aimé.",
           "co_liked": "Ceux qui ont aimé {anchor}, comme vous, choisissent souvent {item} aussi.",
           "also": " Point commun avec {other} : {shared}.",
           "by": "{item} est de {x}, comme {anchor}, que vous avez aimé.",
           "by_asked": "{item} est de {x}, comme {anchor}, comme vous l'avez demandé.",
           "also_by": " Comme {other}, c'est une œuvre de {x}.",
           "asked": "Correspond à votre demande : {asked}.", "none": "Un choix populaire du catalogue."},
    "es": {"and": " y ", "genre": "el género {x}", "genres": "los géneros {x}",
           "shares_asked": "{item} comparte {shared} con {anchor}, como pediste.",
           "co_liked_asked": "Quienes disfrutaron {anchor} suelen elegir también {item}.", "shares": "{item} comparte {shared} con {anchor}, que te gustó.",
           "co_liked": "Quienes disfrutaron {anchor}, como tú, suelen elegir también {item}.",
           "also": " En común con {other}: {shared}.",
           "by": "{item} es de {x}, como {anchor}, que te gustó.",
           "by_asked": "{item} es de {x}, como {anchor}, como pediste.", "also_by": " Como {other}, es obra de {x}.",
           "asked": "Encaja con lo que pediste: {asked}.", "none": "Una opción popular del catálogo."},
    "zh": {"and": "和", "genre": "{x}", "genres": "{x}",
           "shares_asked": "如你所要求，{item}与{anchor}同属{shared}类型。",
           "co_liked_asked": "喜欢{anchor}的人也常选择{item}。", "shares": "{item}与你喜欢的{anchor}同属{shared}类型。",
           "co_liked": "和你一样喜欢{anchor}的人也常选择{item}。",
           "also": "它和{other}一样属于{shared}类型。",
           "by": "{item}和你喜欢的{anchor}一样出自{x}之手。",
           "by_asked": "如你所要求，{item}和{anchor}一样出自{x}之手。", "also_by": "它和{other}一样出自{x}之手。",
           "asked": "符合你的要求：{asked}。", "none": "本目录中的热门之选。"},
}


# Attributes whose values are the people who made an item: a shared one is said as
# "is by X, like Y", not as a category the two belong to.
CREATOR_KEYS = ("authors", "author", "director", "directors", "creator", "creators", "artist", "artists",
                "writer", "writers")


def creators(evidence: Evidence, shared: tuple[str, ...]) -> list[str]:
    return [v for v in shared if evidence.attributes.get(v) in CREATOR_KEYS]


def quote(title: str, lang: str) -> str:
    return f"《{display(title)}》" if lang == "zh" else display(title)


def labels(values: tuple[str, ...] | list[str], lang: str, n: int = 3) -> list[str]:
    """Catalog values as words of `lang` (the lexicon's first label), without repeats."""
    lex, out = lexicon(), []
    for v in values:
        concept = lex.concept_of(v, "en")
        label = lex.label(concept, lang) if concept else v
        if label not in out:
            out.append(label)
    return out[:n]


def join(words: list[str], lang: str) -> str:
    t = TEMPLATES.get(lang, TEMPLATES["en"])
    if lang == "zh":
        return "、".join(words)
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + t["and"] + words[-1]


def what(evidence: Evidence, values: tuple[str, ...], lang: str) -> str:
    """Shared values as a phrase: 'the crime and mystery genres' when they are genres."""
    words = labels(values, lang)
    text = join(words, lang)
    if evidence.all_genres(values):
        t = TEMPLATES.get(lang, TEMPLATES["en"])
        return t["genres" if len(words) > 1 else "genre"].format(x=text)
    return text


def lead(evidence: Evidence, lang: str) -> tuple[Contributor, str] | None:
    """The contributor the sentence names first (the strongest) and its clause."""
    top = evidence.top
    if top is None:
        return None
    t = TEMPLATES.get(lang, TEMPLATES["en"])
    item, anchor = quote(evidence.title, lang), quote(top.title, lang)
    asked = "_asked" if "asked_like" in top.via else ""  # the request named it: not "which you enjoyed"
    made_by = creators(evidence, top.shared)
    if made_by:
        return top, t["by" + asked].format(item=item, anchor=anchor, x=join(made_by, lang))
    if top.shared:
        return top, t["shares" + asked].format(item=item, anchor=anchor, shared=what(evidence, top.shared, lang))
    return top, t["co_liked" + asked].format(item=item, anchor=anchor)


def sentence(evidence: Evidence, lang: str) -> str:
    """The reason the evidence supports, naming the strongest contributor first: what it
    shares with the item, else that people who liked it pick the item; then a shared
    value with the next contributor when the first shares none; then the request's wishes
    the item meets that were not said yet."""
    t = TEMPLATES.get(lang, TEMPLATES["en"])
    gap = "" if lang == "zh" else " "
    first = lead(evidence, lang)
    said: set[str] = set()
    parts: list[str] = []
    if first is not None:
        top, clause = first
        parts.append(clause)
        said |= {v.casefold() for v in top.shared}
        if not top.shared:
            other = next((c for c in evidence.because[1:] if c.shared), None)
            if other is not None:
                made_by = creators(evidence, other.shared)
                parts.append((t["also_by"].format(other=quote(other.title, lang), x=join(made_by, lang)) if made_by
                              else t["also"].format(other=quote(other.title, lang),
                                                    shared=what(evidence, other.shared, lang))).strip())
                said |= {v.casefold() for v in other.shared}
    asked = [v for v in evidence.asked if v.casefold() not in said]
    if asked:
        parts.append(t["asked"].format(asked=join(labels(asked, lang), lang)))
    return gap.join(parts) if parts else t["none"]
