"""Numbers written in Chinese numerals: 两千 2000, 三千五 3500, 一万二 12000, 九十年代."""

from __future__ import annotations

import re

ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
ZH_DECADE = re.compile(r"([一二三四五六七八九]十)年代")
ZH_DECADES = re.compile(r"([一二三四五六七八九])([一二三四五六七八九])十年代")  # 五六十年代: the 50s and 60s
ZH_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]*[十百千万][零〇一二两三四五六七八九十百千万]*")


def zh_number(word: str) -> int | None:
    """'两千' 2000, '三千五' 3500 (a bare digit after a unit is the next unit down),
    '一万二' 12000, '二十' 20, '十五' 15."""
    total, section, digit, last_unit = 0, 0, None, 1
    for ch in word:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
        elif ch == "万":
            section = (section + (digit or 0)) or 1
            total, section, digit, last_unit = total + section * 10000, 0, None, 10000
        elif ch in ZH_UNITS:
            unit = ZH_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit is not None:
        section += digit * (last_unit // 10 if last_unit >= 10 else 1)
    value = total + section
    return value or None
