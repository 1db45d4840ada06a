"""Readers that turn files into Items and Events, one `Parsed` row at a time.

A reader never raises on a bad row: it yields the row's file and line number with the
reason, so the importer can report it and keep every good row.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from service.errors import InvalidInput
from service.text.currency import currency_forms
from service.text.lexicon import lexicon
from service.text.unit_words import unit_after
from service.types import Event, Item


@dataclass(frozen=True)
class Parsed:
    source: str  # file name
    line: int
    record: Item | Event | None = None
    error: str | None = None


Reader = Callable[[Path, dict[str, str]], Iterator[Parsed]]

ITEM_FIELDS = ("item_id", "title", "text")
EVENT_FIELDS = ("user_id", "item_id", "type", "value", "timestamp")
_YEAR = re.compile(r"\((\d{4})\)\s*$")


def _short(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in err.errors()
    )


def _require(path: Path) -> Path:
    if not path.exists():
        raise InvalidInput(f"{path} does not exist")
    return path


def _csv_rows(path: Path, **kw) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV with a header, numbered by their line in the file (header = 1)."""
    with open(_require(path), newline="", encoding=kw.pop("encoding", "utf-8")) as f:
        reader = csv.DictReader(f, **kw)
        for row in reader:
            yield reader.line_num, row


# -- generic formats -------------------------------------------------------------------
_NUMERIC = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")


# an amount with its unit or currency: '8 GB', '190g', '6.7"', '$499', '1,299 €', '5000 mAh'
_MEASURED = re.compile(r"\s*([$€£¥￥]\s?)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(.*?)\s*")


def _cell(val: str) -> str | int | float:
    """A CSV cell as the value it is: '499' and '6.7' are numbers (so price and size
    filters and the chat's ranges work); '007' and '5G' stay text."""
    if _NUMERIC.fullmatch(val.strip()):
        return float(val) if "." in val else int(val)
    return _measured(val)


def _measured(val: str) -> str | int | float:
    """An amount written with its unit of measure or currency ('8 GB', '190g', '$499',
    '1,299 €') as its number: the unit is the attribute's (`text/attribute_units.py`
    reads it from the attribute's name). A name ('5G', '4K': one capital letter glued
    to the number) or any other text stays as written."""
    m = _MEASURED.fullmatch(val)
    if not m:
        return val
    sign, whole, frac, rest = m.groups()
    money = (not rest or rest.casefold() in currency_forms(lexicon())) and bool(sign or rest)
    glued_capital = len(rest) == 1 and rest.isupper() and not val.strip()[len(whole + (frac or ""))].isspace()
    measure = sign is None and not glued_capital and bool(re.fullmatch(r"\"|”|[^\W\d_]{1,11}", rest)) \
        and unit_after(rest) is not None
    if not (money or measure):
        return val
    number = whole.replace(",", "") + (frac or "")
    return float(number) if frac else int(number)


def _record_from_mapping(row: dict, mapping: dict[str, str], kind: str, untyped: bool = False) -> Item | Event:
    """Build an Item or Event from a row whose columns are renamed by `mapping`
    (our field -> their column). Item columns we don't know become attributes;
    a string with `|` in an attribute becomes a list; an amount with its unit or currency
    ('8 GB', '$499') its number; `untyped` rows (CSV) have their numeric cells read as
    numbers."""
    renamed = {ours: row.get(theirs) for ours, theirs in mapping.items()}
    known = set(mapping.values())
    if kind == "events":
        data = {k: row.get(k) for k in EVENT_FIELDS if k in row and k not in mapping}
        data.update(renamed)
        data = {k: v for k, v in data.items() if v not in (None, "")}
        return Event(**data)
    data = {k: row.get(k) for k in ITEM_FIELDS if k in row and k not in mapping}
    data.update(renamed)
    attrs = row.get("attributes") if isinstance(row.get("attributes"), dict) else {}
    for col, val in row.items():
        if col in ITEM_FIELDS or col in known or col == "attributes" or val in (None, ""):
            continue
        if isinstance(val, str) and "|" in val:
            attrs[col] = val.split("|")
        else:
            attrs[col] = (_cell(val) if untyped else _measured(val)) if isinstance(val, str) else val
    data["attributes"] = attrs
    return Item(**{k: v for k, v in data.items() if v is not None})


def read_csv(path: Path, mapping: dict[str, str], kind: str = "items") -> Iterator[Parsed]:
    for line, row in _csv_rows(path):
        try:
            yield Parsed(path.name, line, _record_from_mapping(row, mapping, kind, untyped=True))
        except ValidationError as e:
            yield Parsed(path.name, line, error=_short(e))


def read_jsonl(path: Path, mapping: dict[str, str], kind: str = "items") -> Iterator[Parsed]:
    with open(_require(path), encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("expected a JSON object")
                yield Parsed(path.name, line_no, _record_from_mapping(row, mapping, kind))
            except ValidationError as e:
                yield Parsed(path.name, line_no, error=_short(e))
            except ValueError as e:
                yield Parsed(path.name, line_no, error=f"not valid JSON: {e}")


# -- MovieLens latest (movies.csv, ratings.csv, tags.csv) ------------------------------
def _movie(item_id: str, title: str, genres: list[str], tags: list[str]) -> Item:
    attrs: dict = {"genres": genres}
    m = _YEAR.search(title)
    if m:
        attrs["year"] = int(m.group(1))
    text = f"{title}. Genres: {', '.join(genres) or 'unknown'}."
    if tags:
        text += f" Tags: {', '.join(tags[:20])}."
    return Item(item_id=item_id, title=title, text=text, attributes=attrs)


def read_movielens_csv(path: Path, mapping: dict[str, str] | None = None) -> Iterator[Parsed]:
    tags: dict[str, list[str]] = defaultdict(list)
    tags_path = path / "tags.csv"
    if tags_path.exists():
        for line, row in _csv_rows(tags_path):
            tag = (row.get("tag") or "").strip()
            if row.get("movieId") and tag and tag.lower() not in map(str.lower, tags[row["movieId"]]):
                tags[row["movieId"]].append(tag)
    for line, row in _csv_rows(path / "movies.csv"):
        try:
            genres = [g for g in (row.get("genres") or "").split("|") if g and g != "(no genres listed)"]
            yield Parsed("movies.csv", line, _movie(row["movieId"], row["title"], genres, tags[row["movieId"]]))
        except (ValidationError, KeyError, TypeError) as e:
            yield Parsed("movies.csv", line, error=_err(e))
    for line, row in _csv_rows(path / "ratings.csv"):
        try:
            yield Parsed("ratings.csv", line, Event(
                user_id=row["userId"], item_id=row["movieId"], type="rating",
                value=float(row["rating"]), timestamp=float(row["timestamp"])))
        except (ValidationError, KeyError, TypeError, ValueError) as e:
            yield Parsed("ratings.csv", line, error=_err(e))


# -- MovieLens 100K (u.item, u.data) ---------------------------------------------------
ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
]


def read_movielens_100k(path: Path, mapping: dict[str, str] | None = None) -> Iterator[Parsed]:
    with open(_require(path / "u.item"), encoding="latin-1") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("|")
            try:
                if len(parts) != 5 + len(ML100K_GENRES):
                    raise ValueError(f"expected 24 '|'-separated fields, found {len(parts)}")
                flags = parts[5:]
                genres = [g for g, flag in zip(ML100K_GENRES, flags) if flag == "1" and g != "unknown"]
                yield Parsed("u.item", line_no, _movie(parts[0], parts[1], genres, []))
            except (ValidationError, ValueError) as e:
                yield Parsed("u.item", line_no, error=_err(e))
    with open(_require(path / "u.data"), encoding="latin-1") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            parts = line.split("\t")
            try:
                if len(parts) != 4:
                    raise ValueError(f"expected 4 tab-separated fields, found {len(parts)}")
                user, item, rating, ts = (p.strip() for p in parts)
                yield Parsed("u.data", line_no, Event(
                    user_id=user, item_id=item, type="rating", value=float(rating), timestamp=float(ts)))
            except (ValidationError, ValueError) as e:
                yield Parsed("u.data", line_no, error=_err(e))


# -- goodbooks-10k (books.csv + ratings csv in time order) -----------------------------
def read_goodbooks(path: Path, mapping: dict[str, str] | None = None) -> Iterator[Parsed]:
    for line, row in _csv_rows(path / "books.csv"):
        try:
            authors = [a.strip() for a in (row.get("authors") or "").split(",") if a.strip()]
            title = (row.get("title") or row.get("original_title") or "").strip()
            attrs: dict = {"authors": authors}
            year = row.get("original_publication_year")
            if year:
                attrs["year"] = int(float(year))
            if row.get("language_code"):
                attrs["language"] = row["language_code"]
            if row.get("average_rating"):
                attrs["average_rating"] = float(row["average_rating"])
            text = f"{title} by {', '.join(authors) or 'unknown author'}"
            if year:
                text += f" ({attrs['year']})"
            yield Parsed("books.csv", line, Item(item_id=row["book_id"], title=title, text=text + ".", attributes=attrs))
        except (ValidationError, KeyError, ValueError) as e:
            yield Parsed("books.csv", line, error=_err(e))
    ratings = next((path / n for n in ("ratings.csv", "ratings_random.csv") if (path / n).exists()), None)
    if ratings is None:
        raise InvalidInput(f"{path} has no ratings.csv or ratings_random.csv")
    # No timestamps: row order is time order, so the line number is the clock.
    for line, row in _csv_rows(ratings):
        try:
            yield Parsed(ratings.name, line, Event(
                user_id=row["user_id"], item_id=row["book_id"], type="rating",
                value=float(row["rating"]), timestamp=float(line)))
        except (ValidationError, KeyError, TypeError, ValueError) as e:
            yield Parsed(ratings.name, line, error=_err(e))


def _err(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return _short(e)
    if isinstance(e, KeyError):
        return f"missing column {e}"
    return str(e) or type(e).__name__
