"""Chat answers judged item by item: request sets, stored judgments, precision and pooling.

A request set (scripts/chat_requests/judged/<catalog>.yaml) says, for each request, what
a relevant item is (`need`). Judgments (judged/judgments/<catalog>.jsonl) say, one line
per (request, item), whether an item is relevant:

    {"request": "movies-en-01", "item_id": "4963", "title": "Ocean's Eleven (2001)",
     "relevant": true, "judge": "who or what judged", "note": ""}

A follow-up ("more like the second one") is judged against the answer it follows, so its
lines also carry `context`: the item ids of each earlier answer, in order, as the judge
saw them. Items nobody has judged are counted, never guessed: precision is over judged
items only, reported with the number left unjudged, and `pool` lists what to judge next.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from service.errors import InvalidInput

FOLLOW = "<answer>"  # in `turns`: the service's own previous reply goes here
LANGS = ("en", "zh", "fr", "es")
SETS = ("tune", "heldout")
Context = tuple[tuple[str, ...], ...]  # the item ids of each earlier answer, in order


@dataclass(frozen=True)
class Request:
    id: str
    lang: str
    set: str
    turns: tuple[str, ...]
    need: str
    user_id: str | None = None
    constraints: Mapping = field(default_factory=dict)

    @property
    def follow_ups(self) -> int:
        """How many earlier answers the last turn refers to."""
        return self.turns.count(FOLLOW)


@dataclass(frozen=True)
class Judgment:
    request: str
    item_id: str
    relevant: bool
    title: str = ""
    judge: str = ""
    note: str = ""
    context: Context = ()


Judged = Mapping[tuple[str, Context], Mapping[str, bool]]  # (request, context) -> item -> relevant


def load_requests(path: Path | str) -> list[Request]:
    """The requests of one set file, checked: unique ids, known language and set, at least
    one user turn, a non-empty need."""
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(raw, list):
        raise InvalidInput(f"{path}: expected a list of requests")
    out: list[Request] = []
    seen: set[str] = set()
    for n, r in enumerate(raw, start=1):
        where = f"{path}: request {n} ({r.get('id', '?') if isinstance(r, dict) else r!r})"
        if not isinstance(r, dict):
            raise InvalidInput(f"{where}: expected a mapping")
        unknown = set(r) - {"id", "lang", "set", "turns", "need", "user_id", "constraints"}
        if unknown:
            raise InvalidInput(f"{where}: unknown fields {sorted(unknown)}")
        turns = tuple(str(t) for t in r.get("turns") or ())
        problems = [
            "no id" if not r.get("id") else None,
            f"id {r.get('id')!r} used twice" if r.get("id") in seen else None,
            f"lang must be one of {LANGS}" if r.get("lang") not in LANGS else None,
            f"set must be one of {SETS}" if r.get("set") not in SETS else None,
            "no user turn" if not [t for t in turns if t != FOLLOW] else None,
            "the last turn must be the user's" if turns and turns[-1] == FOLLOW else None,
            "no need" if not str(r.get("need") or "").strip() else None,
            "constraints must be a mapping" if not isinstance(r.get("constraints") or {}, dict) else None,
        ]
        problems = [p for p in problems if p]
        if problems:
            raise InvalidInput(f"{where}: {'; '.join(problems)}")
        seen.add(r["id"])
        user = r.get("user_id")
        out.append(Request(id=str(r["id"]), lang=r["lang"], set=r["set"], turns=turns, need=str(r["need"]).strip(),
                           user_id=None if user is None else str(user), constraints=r.get("constraints") or {}))
    return out


def _context(value: object, where: str) -> Context:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(a, list) for a in value):
        raise InvalidInput(f"{where}: context must be a list of earlier answers (lists of item ids)")
    return tuple(tuple(str(i) for i in answer) for answer in value)


def parse_judgment(line: str, where: str = "judgment") -> Judgment:
    """One JSONL line; `relevant` must be true or false (a line still to judge is an error)."""
    try:
        row = json.loads(line)
    except ValueError as e:
        raise InvalidInput(f"{where}: not valid JSON ({e})") from None
    if not isinstance(row, dict):
        raise InvalidInput(f"{where}: expected a JSON object")
    if not row.get("request") or row.get("item_id") in (None, ""):
        raise InvalidInput(f"{where}: needs request and item_id")
    if not isinstance(row.get("relevant"), bool):
        raise InvalidInput(f"{where}: relevant must be true or false, not {row.get('relevant')!r}")
    return Judgment(request=str(row["request"]), item_id=str(row["item_id"]), relevant=row["relevant"],
                    title=str(row.get("title") or ""), judge=str(row.get("judge") or ""),
                    note=str(row.get("note") or ""), context=_context(row.get("context"), where))


def load_judgments(path: Path | str, judge: str | None = None) -> list[Judgment]:
    """Every judgment in a JSONL file (a missing file has none), or only `judge`'s."""
    path = Path(path)
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                j = parse_judgment(line, f"{path}:{n}")
                if judge is None or j.judge == judge:
                    out.append(j)
    return out


def index(judgments: Iterable[Judgment]) -> dict[tuple[str, Context], dict[str, bool]]:
    """(request, context) -> item -> relevant. The same item judged both ways for the
    same request and context is an error: resolve it in the file (or pick one judge)."""
    out: dict[tuple[str, Context], dict[str, bool]] = {}
    for j in judgments:
        seen = out.setdefault((j.request, j.context), {})
        if seen.get(j.item_id, j.relevant) != j.relevant:
            raise InvalidInput(f"request {j.request}: item {j.item_id} is judged both relevant and not "
                               f"relevant; keep one line, or load one judge's judgments")
        seen[j.item_id] = j.relevant
    return out


def precision_at(k: int, returned_ids: Sequence[str], judgments: Mapping[str, bool]) -> tuple[float | None, int]:
    """(relevant / judged among the first k distinct returned items, how many of them are
    unjudged). Precision is None when none of them is judged yet."""
    if k < 1:
        raise InvalidInput(f"k must be at least 1, not {k}")
    top = list(dict.fromkeys(returned_ids))[:k]
    judged = [judgments[i] for i in top if i in judgments]
    unjudged = len(top) - len(judged)
    return (sum(judged) / len(judged) if judged else None), unjudged


@dataclass(frozen=True)
class Answer:
    """One system's answer to one request: the ranked item ids, and for a follow-up the
    earlier answers it followed (the context its items are judged in)."""
    items: tuple[str, ...]
    context: Context = ()


def parse_answer(value: object, where: str = "answer") -> Answer:
    """A list of item ids, or {"items": [...], "context": [[...], ...]}."""
    if isinstance(value, list):
        return Answer(tuple(str(i) for i in value))
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        return Answer(tuple(str(i) for i in value["items"]), _context(value.get("context"), where))
    raise InvalidInput(f"{where}: expected a list of item ids or {{\"items\": [...], \"context\": [...]}}")


def pool(answers_by_system: Mapping[str, Mapping[str, Answer | Sequence[str]]], depth: int = 10,
         judged: Judged | None = None) -> list[tuple[str, Context, str]]:
    """(request, context, item) triples that the top `depth` of any system returned and
    that are not judged yet, each once, by request in first-seen order, then by the best
    rank any system gave the item (so the top of every list is judged first)."""
    if depth < 1:
        raise InvalidInput(f"depth must be at least 1, not {depth}")
    judged = judged or {}
    best: dict[tuple[str, Context], dict[str, int]] = {}
    for answers in answers_by_system.values():
        for request, answer in answers.items():
            a = answer if isinstance(answer, Answer) else Answer(tuple(answer))
            ranks = best.setdefault((request, a.context), {})
            for rank, item in enumerate(list(dict.fromkeys(a.items))[:depth]):
                ranks[item] = min(rank, ranks.get(item, rank))
    out = []
    for (request, context), ranks in best.items():
        done = judged.get((request, context), {})
        out += [(request, context, item) for item in sorted(ranks, key=lambda i: ranks[i]) if item not in done]
    return out


__all__ = ["Answer", "FOLLOW", "Judgment", "Request", "index", "load_judgments", "load_requests",
           "parse_answer", "parse_judgment", "pool", "precision_at"]
