"""Durations (and, in Chinese, counts before a unit) written in words, as digits the unit readers know: 'an hour' -> '60 min',
'half an hour' -> '30 min', 'une heure et demie' -> '90 min', 'hora y media' -> '90 min',
'一个半小时' -> '90分钟', '半小时' -> '30分钟'. The text keeps its length nowhere: callers
read the returned text instead of the original."""

from __future__ import annotations

import re

_EN = {"an": 1, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_FR = {"une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6}
_ES = {"una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6}
_ZH = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


def _alt(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_PATTERNS: list[tuple[re.Pattern, object]] = [
    # and a half
    (re.compile(rf"\b({_alt(_EN)}) hours? and a half\b", re.I), lambda m: _EN[m[1].lower()] * 60 + 30),
    (re.compile(rf"\b({_alt(_FR)}) heures? et demie\b", re.I), lambda m: _FR[m[1].lower()] * 60 + 30),
    (re.compile(rf"\b(?:({_alt(_ES)}) )?horas? y media\b", re.I), lambda m: _ES.get((m[1] or "una").lower(), 1) * 60 + 30),
    (re.compile(rf"([{''.join(_ZH)}]|\d)个?半(?:小时|钟头|钟)"), lambda m: int(m[1]) * 60 + 30 if m[1].isdigit() else _ZH[m[1]] * 60 + 30),
    # half an hour
    (re.compile(r"\bhalf (?:an )?hour\b|\bhalf-hour\b", re.I), lambda m: 30),
    (re.compile(r"\b(?:une )?demi-?\s?heure\b", re.I), lambda m: 30),
    (re.compile(r"\bmedia hora\b", re.I), lambda m: 30),
    (re.compile(r"半个?(?:小时|钟头)"), lambda m: 30),
    # whole hours in words
    (re.compile(rf"\b({_alt(_EN)}) hours?\b", re.I), lambda m: _EN[m[1].lower()] * 60),
    (re.compile(rf"\b({_alt(_FR)}) heures?\b", re.I), lambda m: _FR[m[1].lower()] * 60),
    (re.compile(rf"\b({_alt(_ES)}) horas?\b", re.I), lambda m: _ES[m[1].lower()] * 60),
    (re.compile(rf"([{''.join(_ZH)}])个?(?:小时|钟头)"), lambda m: _ZH[m[1]] * 60),
]
_ZH_MINUTES = re.compile(r"[\u4e00-\u9fff]")
# a Chinese numeral before a unit: '四星级' 4 stars, '三公里' 3 km, '两个人' 2 people, '十二度' 12%
# ... and both ends of a range ('三百到八百块' 300到800块)
_ZH_RANGE = re.compile(r"([一二两三四五六七八九十百千万]{1,5})(到|至)([一二两三四五六七八九十百千万]{1,5})")
_ZH_COUNT = re.compile(r"([一二两三四五六七八九十]{1,3})(?=星级|星(?!期)|公里|千米|个人|人份|分钟|度(?!假)|座(?!位置))")


def spelled_durations(text: str) -> str:
    """`text` with its durations in words written as minutes in digits."""
    text = re.sub(r"\bd['’](?=(?:une|deux|trois|quatre|cinq|six)\s+heures?\b|une demi)", "de ", text, flags=re.I)
    for pattern, minutes in _PATTERNS:
        def digits(m: re.Match) -> str:
            n = minutes(m)
            return f"{n}分钟" if _ZH_MINUTES.match(m[0][-1]) else f"{n} min"
        text = pattern.sub(digits, text)
    text = _ZH_RANGE.sub(lambda m: f"{_zh_count(m.group(1)) or m.group(1)}{m.group(2)}{_zh_count(m.group(3)) or m.group(3)}", text)
    return _ZH_COUNT.sub(lambda m: str(_zh_count(m.group(1)) or m.group(1)), text)


def _zh_count(word: str) -> int | None:
    from service.text.zh_numerals import ZH_DIGITS, zh_number
    return ZH_DIGITS.get(word) if len(word) == 1 and word != "十" else zh_number(word)
