"""Which language a message (or a blurb) is in: Chinese by script, English, French and
Spanish by accents and function words. Small and dependency-free on purpose: the
replies only need to match the user's language, and these four are what the lexicon
covers. Anything else reads as English."""

from __future__ import annotations

import re

LANGUAGES = ("en", "zh", "fr", "es")
NAMES = {"en": "English", "zh": "Chinese", "fr": "French", "es": "Spanish"}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_STOP = {
    "en": set("the a an and or but not no with without for of to in on is are was it this that something "
              "some me my i you want like please more less movie movies film films book books show give "
              "recommend anything any one about similar".split()),
    "fr": set("le la les des une un et ou mais pas sans avec pour de du au aux est je j me moi veux voudrais "
              "quelque chose comme plus moins film films livre livres un une qui que sur dans donne-moi "
              "recommande propose ce cette ces genre style semblable pareil roman romans".split()),
    "es": set("el la los las una un y o pero no sin con para de del al es yo me quiero quisiera algo como "
              "más menos película películas libro libros que en por dame recomienda busco este esta a parecido parecida "
              "parecidos tipo estilo novela novelas hay".split()),
}
_ACCENTS = {"fr": set("éèêëàâçîïôûùœ"), "es": set("ñáíóúü¿¡")}


def has_cjk(text: str) -> bool:
    """Any Chinese character in the text?"""
    return _CJK.search(text) is not None


def detect(text: str, default: str = "en") -> str:
    """'zh', 'fr', 'es' or 'en' (also for text with no clue at all)."""
    if not text or not text.strip():
        return default
    letters = [c for c in text if c.isalpha()]
    cjk = len(_CJK.findall(text))
    if letters and cjk / len(letters) >= 0.3:
        return "zh"
    words = [w.casefold() for w in _WORD.findall(text)]
    score = {lang: sum(w in stop for w in words) for lang, stop in _STOP.items()}
    lowered = text.casefold()
    for lang, marks in _ACCENTS.items():
        score[lang] += 2 * sum(c in marks for c in lowered)
    best = max(score, key=lambda k: (score[k], k == default))
    return best if score[best] > 0 else default


def is_language(text: str, lang: str) -> bool:
    """Whether `text` reads as `lang`. Text with no clue either way passes: a blurb that
    is only a title is not in the wrong language."""
    if lang == "zh":
        letters = [c for c in text if c.isalpha()]
        return bool(letters) and len(_CJK.findall(text)) / len(letters) >= 0.3
    if _CJK.search(text) and detect(text) == "zh":
        return False
    words = [w.casefold() for w in _WORD.findall(text)]
    score = {k: sum(w in stop for w in words) for k, stop in _STOP.items()}
    if max(score.values()) == 0:
        return True
    return score[lang] >= max(score.values())
