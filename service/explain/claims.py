"""The evidence check: a reason may claim nothing its Evidence record does not hold.

A small model asked why someone may enjoy a film reaches for what fits any title: praise
("a must-watch"), superlatives ("the best"), a genre or mood the item does not have
("dark and gritty"), another medium ("a must-read" for a film), a year it was not given.
Each is a claim outside the evidence, and the reason fails with the one found first.
The words around the evidence's own titles are read (a title may say "Space" or "Dark");
catalog genres and moods are found with the lexicon, in every language it knows."""

from __future__ import annotations

import re
from functools import cache

from service.explain.evidence import Evidence
from service.explain.praise import praise
from service.text.lexicon import lexicon
from service.text.titles import display

# Words that say what kind of thing an item is (and how one enjoys it), per medium.
MEDIUM_WORDS = {
    "book": {"en": ["read", "reads", "reading", "reader", "readers", "book", "books", "novel", "novels", "author",
                    "page", "pages", "page-turner", "chapter", "chapters", "prose", "written by"],
             "fr": ["lire", "lecture", "lecteur", "lecteurs", "livre", "livres", "roman", "romans", "auteur", "pages"],
             "es": ["leer", "lectura", "lector", "lectores", "libro", "libros", "novela", "novelas", "autor", "páginas"],
             "zh": ["阅读", "读者", "书", "小说", "作者", "读"]},
    "film": {"en": ["watch", "watching", "viewers", "film", "films", "movie", "movies", "cinema", "director",
                    "screen", "on-screen", "cast", "actor", "actors", "actress"],
             "fr": ["regarder", "film", "films", "cinéma", "réalisateur", "spectateurs", "écran", "acteur", "acteurs"],
             "es": ["ver", "película", "películas", "cine", "director", "espectadores", "pantalla", "actor", "actores"],
             "zh": ["观看", "电影", "影片", "导演", "观众", "演员"]},
    "device": {"en": ["phone", "phones", "smartphone", "device", "battery"],
               "fr": ["téléphone", "smartphone", "appareil", "batterie"],
               "es": ["teléfono", "smartphone", "dispositivo", "batería"],
               "zh": ["手机", "设备", "电池"]},
}

SUPERLATIVES = {
    "en": r"best|greatest|finest|ultimate|most|perfect|iconic|legendary|unmatched|unrivaled|unparalleled"
          r"|top-notch|amazing|incredible|brilliant|stunning|epic|legend|classic|timeless|beloved",
    "fr": r"meilleure?s?|plus grande?s?|le plus|la plus|les plus|parfaite?s?|incontournables?|légendaires?"
          r"|chef-d['’]œuvre|culte|inoubliables?|incroyables?|géniale?s?|classiques?",
    "es": r"mejor(?:es)?|más grandes?|el más|la más|los más|las más|perfect[oa]s?|imprescindibles?"
          r"|legendari[oa]s?|obra maestra|de culto|inolvidables?|increíbles?|épic[oa]s?|clásic[oa]s?",
    "zh": r"最|经典|必看|神作|杰作|巅峰|不可错过|传奇",
}

_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def _words(kind: str, lang: str) -> re.Pattern | None:
    if kind == "superlative":
        body = SUPERLATIVES.get(lang)
    else:
        words = MEDIUM_WORDS[kind].get(lang, [])
        body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) if words else None
    if not body:
        return None
    return re.compile(f"(?:{body})" if lang == "zh" else rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def without_titles(text: str, evidence: Evidence, others: tuple[str, ...] = ()) -> str:
    """The text with the evidence's titles, `others` and any 《quoted》 span blanked out."""
    text = re.sub(r"《[^》]*》", " ", text)
    titles = {evidence.title, *(c.title for c in evidence.because), *others}
    for t in sorted({x for t in titles for x in (t, display(t))}, key=len, reverse=True):
        text = re.sub(re.escape(t), " ", text, flags=re.IGNORECASE)
    return text


def other_medium(body: str, evidence: Evidence, lang: str) -> str | None:
    """A word of another medium than the item's in `body` (titles already blanked)."""
    for kind in MEDIUM_WORDS:
        if evidence.medium is None or kind == evidence.medium:
            continue
        for lg in dict.fromkeys((lang, "en")):
            pat = _words(kind, lg)
            m = pat.search(body) if pat else None
            if m:
                return f"calls it a {kind}: {m.group(0)!r}"
    return None


def unsupported(text: str, evidence: Evidence, lang: str, others: tuple[str, ...] = ()) -> str | None:
    """None if every claim in `text` is in `evidence`, else the first claim that is not.
    `others`: more titles the text may name (the person's history), read as names only."""
    found = praise(text)
    if found:
        return f"empty praise: {found[0]!r}"
    body = without_titles(text, evidence, others)
    pat = _words("superlative", lang)
    m = pat.search(body) if pat else None
    if m:
        return f"a superlative: {m.group(0)!r}"
    medium = other_medium(body, evidence, lang)
    if medium:
        return medium
    lex, sayable = lexicon(), evidence.sayable()
    for mention in lex.mentions(body, lang):
        concept = lex.concepts[mention.concept]
        word = body[mention.start:mention.end]
        if concept.get("kind") == "mood":
            return f"a mood not in the evidence: {word!r}"
        if not any(v.casefold() in sayable for v in concept.get("values", [])):
            return f"a property not in the evidence: {word!r}"
    years = {int(y) for y in re.findall(r"(?<!\d)((?:1[89]|20)\d\d)(?!\d)", body)}
    if years - evidence.years():
        return f"a year not in the evidence: {min(years - evidence.years())}"
    return None
