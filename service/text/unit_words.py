"""Units of measure as requests and item texts write them: '12GB', '6.1 inch', '190克',
'100 W', '200 mégapixels'. What each unit measures is the catalog's business
(`attribute_units.py`); this module only knows the words."""

from __future__ import annotations

import re

UNIT_ALIASES = {"go": "gb", "mo": "mb", "to": "tb", "inch": "in", "inches": "in", "pouces": "in", "pulgadas": "in",
                "pouce": "in", "pulgada": "in",
                "gram": "g", "grams": "g", "gramme": "g", "grammes": "g", "gramo": "g", "gramos": "g", "gr": "g",
                "克": "g", "毫安": "mah", "毫安时": "mah", "英寸": "in", "寸": "in", "瓦": "w", "赫兹": "hz",
                "倍": "x", "aumentos": "x", "aumento": "x", "fois": "x", "megapixels": "mp", "megapixel": "mp",
                "mégapixels": "mp", "mégapixel": "mp", "megapíxeles": "mp", "megapixeles": "mp", "mpx": "mp",
                "mpix": "mp", "watts": "w", "watt": "w", "vatios": "w", "hertz": "hz", "minutes": "min",
                "minute": "min", "minutos": "min", "minuto": "min", "mins": "min", "分钟": "min",
                "gig": "gb", "gigs": "gb", "giga": "gb", "gigas": "gb", "gigabyte": "gb", "gigabytes": "gb",
                "gigaoctets": "gb", "tera": "tb", "teras": "tb", "terabyte": "tb", "terabytes": "tb",
                "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg", "kilogramme": "kg",
                "kilogrammes": "kg", "kilogramo": "kg", "kilogramos": "kg", "公斤": "kg", "千克": "kg", "瓦时": "wh",
                "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "heure": "h", "heures": "h", "hora": "h", "horas": "h",
                "小时": "h", "个小时": "h", "钟头": "h", "个钟头": "h", "percent": "%", "pct": "%", "度": "%", "grados": "%", "degrés": "%", "°": "%",
                "kcal": "kcal", "cal": "kcal", "calorie": "kcal", "calories": "kcal", "calorías": "kcal",
                "calorias": "kcal", "大卡": "kcal", "千卡": "kcal", "卡路里": "kcal", "卡": "kcal",
                "points": "pts", "point": "pts", "puntos": "pts", "punto": "pts", "分": "pts",
                "millilitres": "ml", "milliliters": "ml", "mililitros": "ml", "毫升": "ml", "litre": "l",
                "liter": "l", "litres": "l", "liters": "l", "litro": "l", "litros": "l", "升": "l",
                "people": "servings", "persons": "servings", "personnes": "servings", "personas": "servings",
                "人份": "servings", "个人": "servings", "人": "servings", "serving": "servings", "portions": "servings", "porciones": "servings",
                "raciones": "servings", "kilometres": "km", "kilometers": "km", "kilomètres": "km",
                "kilómetros": "km", "kilometro": "km", "kilómetro": "km", "公里": "km", "千米": "km", "meters": "m",
                "metres": "m", "mètres": "m", "metros": "m", "米": "m", "star": "stars", "étoiles": "stars",
                "étoile": "stars", "estrellas": "stars", "estrella": "stars", "星": "stars", "miles": "mi", "mile": "mi", "millas": "mi", "英里": "mi", "seater": "seats", "seaters": "seats",
                "seat": "seats", "places": "seats", "plazas": "seats", "座": "seats", "座位": "seats"}
# a unit the catalog does not use, in one it does: '1 TB' of storage is 1024 GB
CONVERSIONS = {"tb": ("gb", 1024.0), "kg": ("g", 1000.0), "kw": ("w", 1000.0), "ghz": ("mhz", 1000.0),
               "h": ("min", 60.0), "l": ("ml", 1000.0), "cl": ("ml", 10.0), "km": ("m", 1000.0), "mi": ("km", 1.609)}
# a capital 'G' alone is GB in memory sizes ('12G运存', '256G'); '5G' is a network
MEMORY_SIZES = {6, 8, 12, 16, 18, 24, 32, 64, 128, 256, 512}
# units of measure (after their aliases): a number that carries one is no price
MEASURES = {"gb", "mb", "tb", "mah", "g", "kg", "in", "mp", "w", "kw", "hz", "x", "mm", "cm", "ghz", "mhz", "min",
            "h", "fps", "nits", "dpi", "ppi", "mbps", "db", "km", "ml", "cl", "l", "pages", "wh", "%", "kcal", "pts",
            "servings", "m", "mi", "seats"}
_FRENCH_BYTES = {"go", "mo", "to"}
# the units Chinese writes, longest first ('毫安时' before '毫安'), as a regex alternation
CJK_UNITS = "|".join(sorted((w for w in UNIT_ALIASES if all("\u4e00" <= c <= "\u9fff" for c in w)), key=len, reverse=True))
_AFTER = re.compile(rf"\s?-?\s?(\"|”|%|[a-záàâçéèêëíîïóôúûùüÿñæœ]{{1,12}}|{CJK_UNITS})(?![a-z])")


def canonical(word: str) -> str:
    """A unit as written ('inches', 'Go', '克', '"') in the one spelling names use ('in', 'gb', 'g')."""
    word = word.casefold()
    return "in" if word in ('"', "”") else UNIT_ALIASES.get(word, word)


def unit_after(text: str) -> str | None:
    """The unit of measure `text` starts with ('GB RAM' -> 'gb', '-inch' -> 'in', ' 克以内'
    -> 'g'), or None ('dollars', 'years old', '以内')."""
    m = _AFTER.match(text.lower())
    if not m or m.group(1) in _FRENCH_BYTES and not text[m.start(1)].isupper() or m.group(1) == "in":
        return None  # 'de 100 to 200' is no terabyte, '1 To' is; 'under 300 in black' no inches
    unit = canonical(m.group(1))
    return unit if unit in MEASURES else None
