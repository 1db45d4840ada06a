"""Two blurb prompts, or one prompt on two models, on the same sampled people and the
same items: per-variant rates of the service's checks, empty praise, length and latency;
the paired differences, clearest first; every pair in a JSONL file for reading or
judging, and a summary next to it that the playground's eval page shows.

Rates are over the first attempt (greedy, what the prompt makes the model write);
"LLM blurb in the end" counts the service's one sampled retry too."""

from __future__ import annotations

import json
import math
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from service.errors import InvalidInput
from service.explain.audit import audit
from service.prompt_lab.blurbs import BlurbLab, Written
from service.prompt_lab.lab import Lab
from service.settings import Settings


@dataclass(frozen=True)
class Variant:
    prompt: str
    model: str | None = None  # None: the configured model


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    value: Callable[[dict], float]
    better: int = 0  # +1: higher is better, -1: lower is better, 0: neither
    rate: bool = True
    rank: int = 0  # what people read (0), what it costs (1), why checks failed (2): the order differences are listed in


METRICS = (
    Metric("grounded", "passes the grounding check, first try", lambda s: s["check"] == "ok", +1),
    Metric("language", "in the requested language", lambda s: s["language_ok"], +1),
    Metric("praise", "empty praise (must-watch, masterpiece...)", lambda s: bool(s["praise"]), -1),
    Metric("outside_evidence", "claims something outside the evidence", lambda s: s.get("outside_evidence", False), -1),
    Metric("names_top", "names the history item that contributed most", lambda s: s.get("names_top", False), +1),
    Metric("shares", "states a property it really shares with a named history item",
           lambda s: s.get("shares", False), +1),
    Metric("llm_final", "LLM blurb in the end (after one sampled retry)", lambda s: s["source"] == "llm", +1),
    Metric("words", "length, words", lambda s: s["words"], 0, False),
    Metric("latency_ms", "latency per blurb, ms (written together)", lambda s: s["latency_ms"] or 0.0, -1, False, 1),
    Metric("prompt_tokens", "prompt tokens", lambda s: s["prompt_tokens"], -1, False, 1),
    Metric("output_tokens", "tokens written", lambda s: s["output_tokens"], 0, False, 1),
)


def comparisons_dir(settings: Settings) -> Path:
    return settings.data_dir / "eval" / "prompts"


def sample_people(store, n: int, seed: int, min_events: int = 20) -> list[str]:
    """`n` people with at least `min_events` events, the same for a seed."""
    counts = Counter(u for u, *_ in store.iter_events())
    users = sorted(u for u, c in counts.items() if c >= min_events)
    return random.Random(seed).sample(users, min(n, len(users)))


def _words(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]|[^\W\u4e00-\u9fff]+", text))


def _side(w: Written, bl: BlurbLab, history: dict) -> dict:
    first, retry = w.attempts[0], w.attempts[1] if len(w.attempts) > 1 else None
    seen = {}
    if w.final is not None and w.final.evidence is not None:
        a = audit(first.text, w.final.evidence, bl.language, w.prompt.item, history)
        seen = {"outside_evidence": a["claim_outside_evidence"], "evidence_claim": a["claim"],
                "names_top": a["names_top"], "shares": a["states_shared_property"]}
    return {**seen, "prompt": bl.ref, "model": bl.model_id, "text": first.text, "check": first.check,
            "language_ok": first.language_ok, "praise": first.praise, "words": _words(first.text),
            "latency_ms": first.latency_ms, "prompt_tokens": w.prompt.tokens, "output_tokens": first.output_tokens,
            "retry": {"text": retry.text, "check": retry.check} if retry else None,
            "final": w.final.text if w.final else None, "source": w.final.source if w.final else None}


def reason_name(check: str) -> str:
    """A check's reason without its particulars (the title it named)."""
    return check.split(":")[0]


def check_variants(a: Variant, b: Variant, default_model: str) -> None:
    if a.prompt == b.prompt and (a.model or default_model) == (b.model or default_model):
        raise InvalidInput(f"both sides are {a.prompt} on {a.model or default_model}: give two prompts, "
                           "or one prompt and --model twice")


def run(lab: Lab, a: Variant, b: Variant, people: int, k: int, seed: int, language: str,
        progress: Callable[[int, int], None] | None = None) -> tuple[dict, list[dict]]:
    """(the summary, every pair) for `a` and `b` on the same people and items."""
    check_variants(a, b, lab.model)
    labs = [BlurbLab(lab, v.prompt, v.model, language, k) for v in (a, b)]
    users = sample_people(lab.rec.store, people, seed)
    if not users:
        raise InvalidInput(f"nobody in {lab.settings.data_dir} has 20 events to compare blurbs on: import data first")
    t0 = time.perf_counter()
    answers = [(user, labs[0].answer(user, k)) for user in users]
    # one side after the other: each keeps its instructions in the KV cache from person to person
    written: list[list[dict[str, Written]]] = [[], []]
    seconds: list[list[float]] = [[], []]
    for i, bl in enumerate(labs):
        for n, (user, items) in enumerate(answers):
            t = time.perf_counter()
            written[i].append({w.prompt.item.item_id: w for w in bl.write(user, items, calllog=lab.rec.calllog)})
            seconds[i].append(time.perf_counter() - t)
            if progress:
                progress(i * len(answers) + n + 1, 2 * len(answers))
    rows: list[dict] = []
    skipped: Counter[str] = Counter()
    for (user, items), by_a, by_b in zip(answers, *written):
        for r in items:
            wa, wb = by_a.get(r.item_id), by_b.get(r.item_id)
            if not (wa and wa.attempts and wb and wb.attempts):
                w = wa or wb
                skipped[(w.prompt.reason if w else None) or "not written"] += 1
                continue
            hist = lab.rec.liked(user)
            known = lab.rec.store.get_items(hist)
            history = {h: known[h] for h in hist if h in known}
            rows.append({"user": user, "item_id": r.item_id, "title": r.title, "language": language,
                         "values": wa.prompt.values, "a": _side(wa, labs[0], history),
                         "b": _side(wb, labs[1], history)})
    summary = {
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "a": {"name": a.prompt, "prompt": labs[0].ref, "model": labs[0].model_id},
        "b": {"name": b.prompt, "prompt": labs[1].ref, "model": labs[1].model_id},
        "language": language, "seed": seed, "people": len(users), "k": k, "pairs": len(rows),
        "skipped": dict(skipped), "seconds": round(time.perf_counter() - t0, 1),
        "seconds_per_answer": {s: round(statistics.mean(v), 2) if v else None for s, v in zip("ab", seconds)},
        **summarize(rows),
    }
    return summary, rows


def summarize(rows: list[dict]) -> dict:
    """Per-variant rates and means, why first attempts failed, and the paired
    differences: clear ones (at least two standard errors) first."""
    rates = {m.key: {s: _mean([m.value(r[s]) for r in rows]) for s in "ab"} for m in METRICS}
    failures = {s: dict(Counter(reason_name(r[s]["check"]) for r in rows if r[s]["check"] != "ok").most_common())
                for s in "ab"}
    metrics = list(METRICS) + [
        Metric(f"fails:{name}", f"fails: {name}", lambda s, n=name: reason_name(s["check"]) == n, -1, rank=2)
        for name in sorted(set(failures["a"]) | set(failures["b"]))]
    diffs = clearest_first([d for d in (difference(m, rows) for m in metrics) if d is not None])
    return {"rates": rates, "failures": failures, "differences": diffs}


def clearest_first(diffs: list[dict]) -> list[dict]:
    """Clear differences first: what people read, then what it costs, then why checks
    failed; then by |z|."""
    return sorted(diffs, key=lambda d: (not d["clear"], d["rank"], -abs(d["z"]) if d["z"] is not None else -math.inf))


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def difference(m: Metric, rows: list[dict]) -> dict | None:
    if not rows:
        return None
    a = [float(m.value(r["a"])) for r in rows]
    b = [float(m.value(r["b"])) for r in rows]
    d = [y - x for x, y in zip(a, b)]
    mean = statistics.fmean(d)
    se = statistics.stdev(d) / math.sqrt(len(d)) if len(d) > 1 else 0.0
    if mean == 0 and se == 0:
        return None  # no pair differs
    z = mean / se if se > 0 else None  # every pair differs by the same amount
    better = None if m.better == 0 or mean == 0 else ("b" if mean * m.better > 0 else "a")
    return {"metric": m.key, "label": m.label, "a": round(statistics.fmean(a), 4), "b": round(statistics.fmean(b), 4),
            "diff": round(mean, 4), "se": round(se, 4), "z": round(z, 2) if z is not None else None,
            "clear": z is None or abs(z) >= 2, "rate": m.rate, "better": better, "rank": m.rank}


def write(settings: Settings, summary: dict, rows: list[dict]) -> tuple[Path, Path]:
    """The pairs (JSONL) and the summary (JSON) under the data dir; the summary names
    the pairs file. Comparing the same two variants again replaces both."""
    folder = comparisons_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    label = lambda s: f"{s['name']}@{s['model']}"  # noqa: E731
    stem = re.sub(r"[^A-Za-z0-9_.@-]+", "_", f"{label(summary['a'])}--vs--{label(summary['b'])}")
    pairs, path = folder / f"{stem}.jsonl", folder / f"{stem}.json"
    pairs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    summary = {**summary, "pairs_file": str(pairs)}
    path.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return path, pairs


def latest(settings: Settings) -> dict[str, dict]:
    """Prompt name -> the latest comparison it took part in (from the files `write` left)."""
    out: dict[str, dict] = {}
    folder = comparisons_dir(settings)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            names = [summary["a"]["name"], summary["b"]["name"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a file being written, or not ours
        for name in names:
            if name not in out or out[name]["finished"] < summary.get("finished", ""):
                out[name] = summary
    return out
