"""Two of the chat's value prompts (or one on two models) on the same chat requests: how
often each picks a value the request asks for, a value it does not, or nothing; latency
and tokens; the paired differences, clearest first; every pair in a JSONL file beside a
summary, like blurb comparisons (`compare.write`), so the eval page lists it.

Requests come from a request set (YAML: a list of `{lang, turns, expected}` as in
`scripts/chat_requests/`); single-turn requests are used, since a later turn depends on
the answer to the first. A value is wanted when `expected` lists it under `include` or
`any`, unwanted under `exclude`; a request whose expected values are not values of the
catalog's small attributes (e.g. only a year range) counts for latency only."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from service.chat import Chat
from service.chat.llm_intent import small_attributes
from service.errors import InvalidInput
from service.prompt_lab.compare import Metric, Variant, check_variants, clearest_first, difference
from service.prompt_lab.lab import Lab, prompt_named
from service.prompt_lab.ranking import value_calls


@dataclass(frozen=True)
class ValueRequest:
    text: str
    lang: str
    wanted: frozenset[str]
    unwanted: frozenset[str]


METRICS = (
    Metric("right", "picks a value the request asks for", lambda s: s["right"], +1),
    Metric("wrong", "picks a value the request does not ask for", lambda s: s["wrong"], -1),
    Metric("nothing", "picks nothing", lambda s: not s["picked"], 0),
    Metric("latency_ms", "latency per request, ms", lambda s: s["latency_ms"], -1, False, 1),
    Metric("prompt_tokens", "prompt tokens per request", lambda s: s["prompt_tokens"], -1, False, 1),
)


def load_requests(path: Path) -> list[ValueRequest]:
    """The single-turn requests of a request set."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InvalidInput(f"cannot read the request set {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise InvalidInput(f"{path} is not YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(entries, list):
        raise InvalidInput(f"{path}: a request set is a list of {{lang, turns, expected}}")
    out = []
    for e in entries:
        if not (isinstance(e, dict) and isinstance(e.get("turns"), list) and len(e["turns"]) == 1):
            continue
        expected = e.get("expected") or {}
        out.append(ValueRequest(str(e["turns"][0]), str(e.get("lang", "en")),
                                frozenset(expected.get("include", []) + expected.get("any", [])),
                                frozenset(expected.get("exclude", []))))
    if not out:
        raise InvalidInput(f"{path} has no single-turn requests ({{lang, turns: [text], expected}})")
    return out


def _side(lab: Lab, variant: Variant, request: ValueRequest, known: set[str]) -> dict:
    calls, picked = value_calls(lab, prompt_named(variant.prompt), request.text, score=True, model=variant.model)
    values = [v for _a, v, _p in picked]
    judged = bool(request.wanted & known)
    return {"picked": [[a, v, round(p, 3)] for a, v, p in picked],
            "right": judged and any(v in request.wanted for v in values),
            "wrong": any(v in request.unwanted or (judged and v not in request.wanted) for v in values),
            "latency_ms": round(sum(c.latency_ms for c in calls), 1),
            "prompt_tokens": sum(lab.backend(variant.model).count_tokens(c.prompt) for c in calls)}


def attributes(lab: Lab) -> dict[str, list[str]]:
    """The catalog's attributes the value prompt chooses among, and their values."""
    attrs = small_attributes(Chat(lab.rec, lab.rec.facts_explainer).vocabulary())
    if not attrs:
        raise InvalidInput(f"the catalog in {lab.settings.data_dir} has no attribute with 2-19 values for the "
                           "value prompt to choose from (import a catalog first: python -m service demo)")
    return attrs


def run(lab: Lab, a: Variant, b: Variant, requests: list[ValueRequest],
        progress: Callable[[int, int], None] | None = None) -> tuple[dict, list[dict]]:
    """(the summary, every pair) for `a` and `b` on the same requests."""
    check_variants(a, b, lab.model)
    attrs = attributes(lab)
    known = {v for values in attrs.values() for v in values}
    t0 = time.perf_counter()
    sides: list[list[dict]] = [[], []]
    for i, variant in enumerate((a, b)):  # one side after the other, as blurb comparisons do
        for n, r in enumerate(requests):
            sides[i].append(_side(lab, variant, r, known))
            if progress:
                progress(i * len(requests) + n + 1, 2 * len(requests))
    rows = [{"request": r.text, "lang": r.lang, "wanted": sorted(r.wanted), "unwanted": sorted(r.unwanted),
             "judged": bool(r.wanted & known), "a": sa, "b": sb}
            for r, sa, sb in zip(requests, *sides)]
    labels = [prompt_named(v.prompt).ref for v in (a, b)]
    models = [lab.backend(v.model).model_id for v in (a, b)]
    summary = {
        "kind": "values",
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "a": {"name": a.prompt, "prompt": labels[0], "model": models[0]},
        "b": {"name": b.prompt, "prompt": labels[1], "model": models[1]},
        "requests": len(rows), "judged": sum(r["judged"] for r in rows), "attributes": sorted(attrs),
        "seconds": round(time.perf_counter() - t0, 1), **summarize(rows),
    }
    return summary, rows


def summarize(rows: list[dict]) -> dict:
    """Rates over the requests whose wanted values the catalog has (right, wrong,
    nothing), latency and tokens over all; paired differences, clear ones first."""
    judged = [r for r in rows if r["judged"]]
    rates, diffs = {}, []
    for m in METRICS:
        over = rows if m.rank == 1 else judged
        rates[m.key] = {s: round(statistics.fmean(float(m.value(r[s])) for r in over), 4) if over else None
                        for s in "ab"}
        d = difference(m, over)
        if d is not None:
            diffs.append(d)
    return {"rates": rates, "differences": clearest_first(diffs)}
