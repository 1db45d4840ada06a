"""Import a file or dataset folder into the store.

All rows are parsed first; then every good item, and every good event whose item
exists, is written in one transaction per kind. Bad rows are counted and reported with
their file and line; they never stop the good rows, and nothing is written half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import InvalidInput
from service.feedback import Feedback
from service.ingest.formats import (
    Parsed,
    read_csv,
    read_goodbooks,
    read_jsonl,
    read_movielens_100k,
    read_movielens_csv,
)
from service.store import Store
from service.types import Event, Item

FORMATS = ("csv", "jsonl", "movielens-csv", "movielens-100k", "goodbooks")
Progress = Callable[[str, int], None]  # (stage, rows done so far)


@dataclass
class ImportReport:
    items: int = 0
    events: int = 0
    duplicate_events: int = 0
    bad_rows: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def bad(self) -> int:
        return len(self.bad_rows)

    def summary(self, show: int = 10) -> str:
        lines = [
            f"imported {self.items} items, {self.events} events"
            f" ({self.duplicate_events} already present), {self.bad} bad rows skipped"
        ]
        for src, line, why in self.bad_rows[:show]:
            lines.append(f"  {src}:{line}: {why}")
        if self.bad > show:
            lines.append(f"  ... and {self.bad - show} more")
        return "\n".join(lines)


def reader(fmt: str, path: Path, mapping: dict[str, str], kind: str):
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if fmt in ("csv", "jsonl"):
        if kind not in ("items", "events"):
            raise InvalidInput(f"--kind must be 'items' or 'events', not {kind!r}")
        if path.is_dir():
            raise InvalidInput(f"{fmt} import takes a file, and {path} is a folder")
        return (read_csv if fmt == "csv" else read_jsonl)(path, mapping, kind)
    if not path.is_dir():
        raise InvalidInput(f"{fmt} import takes the dataset's folder, and {path} is not one")
    return {
        "movielens-csv": read_movielens_csv,
        "movielens-100k": read_movielens_100k,
        "goodbooks": read_goodbooks,
    }[fmt](path)


def import_path(
    store: Store,
    fmt: str,
    path: Path | str,
    mapping: dict[str, str] | None = None,
    kind: str = "items",
    progress: Progress | None = None,
    feedback: Feedback | None = None,
) -> ImportReport:
    """`feedback`: event types are checked (an unknown one is a bad row, or read as the
    configured default type); None stores types as they come."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"{path} does not exist")
    report = ImportReport()
    items: dict[str, Item] = {}
    events: list[tuple[Parsed, Event]] = []
    tick = progress or (lambda stage, n: None)
    for n, parsed in enumerate(reader(fmt, path, mapping or {}, kind), start=1):
        if parsed.error is not None:
            report.bad_rows.append((parsed.source, parsed.line, parsed.error))
        elif isinstance(parsed.record, Item):
            items[parsed.record.item_id] = parsed.record
        else:
            events.append((parsed, parsed.record))
        if n % 5000 == 0:
            tick("parse", n)
    known = set(store.item_ids()) | set(items)
    good_events = []
    for parsed, ev in events:
        if ev.item_id not in known:
            report.bad_rows.append(
                (parsed.source, parsed.line, f"unknown item_id {ev.item_id!r}: import the item first")
            )
            continue
        try:
            good_events.append(feedback.resolve_events([ev])[0] if feedback else ev)
        except InvalidInput as e:
            report.bad_rows.append((parsed.source, parsed.line, str(e)))
    report.bad_rows.sort(key=lambda r: (r[0], r[1]))
    tick("write items", 0)
    report.items = store.upsert_items(items.values())
    tick("write events", 0)
    report.events, report.duplicate_events = store.add_events(good_events)
    tick("done", len(items) + len(events))
    return report


__all__ = ["FORMATS", "ImportReport", "import_path"]
