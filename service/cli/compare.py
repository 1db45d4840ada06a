"""`prompts compare`, printed: two blurb prompts (or one on two models) through the
prompt lab, or two rank prompts through the offline evaluation."""

from __future__ import annotations

import tempfile
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from service.cli.common import console, progress
from service.errors import InvalidInput
from service.settings import get_settings

RANK_METRICS = ("ndcg@10", "recall@10", "recall@20")


def compare_blurbs(a, b, people, k, models, language, seed, show) -> None:
    from service.prompt_lab import Lab
    from service.prompt_lab.compare import Variant, check_variants, run, write
    from service.prompt_lab.lab import language as checked
    from service.prompt_lab.lab import with_model

    if len(models) > 2:
        raise InvalidInput("--model takes one model (both sides) or two (A's, then B's)")
    ma, mb = (models + models)[:2] if models else (None, None)
    checked(language)
    va, vb = Variant(a, ma), Variant(b, mb)
    check_variants(va, vb, get_settings().llm.model)
    for m in (ma, mb):
        with_model(get_settings(), m)  # an unknown name fails now, not after the first side ran
    lab = Lab.open(get_settings(), ma)
    with progress() as bar:
        task = bar.add_task("writing blurbs (A, then B)", total=2 * people)
        summary, rows = run(lab, va, vb, people, k, seed, language,
                            progress=lambda n, total: bar.update(task, completed=n, total=total))
    try:
        path, pairs = write(lab.settings, summary, rows)
    except OSError as e:
        raise InvalidInput(f"cannot write the comparison under {lab.settings.data_dir}: {e.strerror}") from None
    _print_comparison(summary, rows, show)
    console.print(f"wrote {path}\n  and every pair: {pairs}", highlight=False)


def _print_comparison(summary: dict, rows: list[dict], show: int) -> None:
    from service.prompt_lab.compare import METRICS

    sa, sb = summary["a"], summary["b"]
    name = lambda s: f"{s['prompt']} ({s['model']})"  # noqa: E731
    console.print(f"[bold]A = {escape(name(sa))}   B = {escape(name(sb))}[/bold]: {summary['people']} people, "
                  f"{summary['pairs']} items ({summary['language']}, seed {summary['seed']}); "
                  f"{summary['seconds']:.0f} s", highlight=False)
    if summary["skipped"]:
        console.print("[dim]not compared (no model attempt on either side): "
                      + "; ".join(f"{n} × {r}" for r, n in summary["skipped"].items()) + "[/dim]")
    _print_differences(summary)
    t = _side_by_side("side by side (first tries)", METRICS, summary)
    for reason in sorted(set(summary["failures"]["a"]) | set(summary["failures"]["b"])):
        t.add_row(f"fails: {reason}", *(f"{summary['failures'][s].get(reason, 0) / max(summary['pairs'], 1):.2f}"
                                        for s in "ab"))
    t.add_row("seconds per answer", *(str(summary["seconds_per_answer"][s]) for s in "ab"))
    console.print(t)
    differ = [r for r in rows if (r["a"]["check"] == "ok") != (r["b"]["check"] == "ok")
              or bool(r["a"]["praise"]) != bool(r["b"]["praise"])]
    for r in differ[:show]:
        console.rule(f"user {r['user']} · {r['item_id']} {r['title']}")
        for s in "ab":
            side = r[s]
            verdict = side["check"] + (f"; praise: {', '.join(side['praise'])}" if side["praise"] else "")
            console.print(f"{s.upper()}: {escape(side['text'])} [dim]{escape(f'[{verdict}]')}[/dim]", highlight=False)


def compare_values(a, b, requests, models, show) -> None:
    from service.prompt_lab import Lab
    from service.prompt_lab.compare import Variant, check_variants, write
    from service.prompt_lab.compare_values import METRICS, attributes, load_requests, run
    from service.prompt_lab.lab import with_model

    if len(models) > 2:
        raise InvalidInput("--model takes one model (both sides) or two (A's, then B's)")
    ma, mb = (models + models)[:2] if models else (None, None)
    va, vb = Variant(a, ma), Variant(b, mb)
    check_variants(va, vb, get_settings().llm.model)
    for m in (ma, mb):
        with_model(get_settings(), m)
    asked = load_requests(requests)
    lab = Lab.open(get_settings(), ma)
    attributes(lab)  # an empty catalog is an error before any model call
    with progress() as bar:
        task = bar.add_task("scoring requests (A, then B)", total=2 * len(asked))
        summary, rows = run(lab, va, vb, asked, progress=lambda n, total: bar.update(task, completed=n, total=total))
    try:
        out, pairs = write(lab.settings, summary, rows)
    except OSError as e:
        raise InvalidInput(f"cannot write the comparison under {lab.settings.data_dir}: {e.strerror}") from None
    sa, sb = summary["a"], summary["b"]
    console.print(f"[bold]A = {escape(sa['prompt'])} ({escape(sa['model'])})   B = {escape(sb['prompt'])} "
                  f"({escape(sb['model'])})[/bold]: {summary['requests']} requests, {summary['judged']} with wanted "
                  f"values of {', '.join(summary['attributes'])}; {summary['seconds']:.0f} s", highlight=False)
    _print_differences(summary)
    console.print(_side_by_side("side by side (rates over the judged requests)", METRICS, summary))
    picked = lambda side: ", ".join(v for _a, v, _p in side["picked"]) or "nothing"  # noqa: E731
    for r in [r for r in rows if picked(r["a"]) != picked(r["b"])][:show]:
        console.print(f"{escape(r['request'])}  [dim](wanted: {escape(', '.join(r['wanted']) or '-')})[/dim]\n"
                      f"  A: {escape(picked(r['a']))}   B: {escape(picked(r['b']))}", highlight=False)
    console.print(f"wrote {out}\n  and every pair: {pairs}", highlight=False)


def _side_by_side(title: str, metrics, summary: dict) -> Table:
    """Each metric's rate (or mean) for A and B."""
    t = Table(title=title)
    for col in ("", "A", "B"):
        t.add_column(col, justify="right" if col else "left")
    for m in metrics:
        r = summary["rates"][m.key]
        t.add_row(m.label, *("-" if r[s] is None else f"{r[s]:.2f}" if m.rate else f"{r[s]:.1f}" for s in "ab"))
    return t


def _print_differences(summary: dict) -> None:
    console.print("\n[bold]Differences[/bold] (B − A, paired; clear: at least two standard errors)")
    for d in summary["differences"]:
        fmt = (lambda v: f"{v:.2f}") if d["rate"] else (lambda v: f"{v:.1f}")
        mark = "[green]●[/green]" if d["clear"] else "[dim]○[/dim]"
        who = f"; {d['better'].upper()} better" if d["better"] and d["clear"] else ""
        console.print(f" {mark} {escape(d['label'])}: {fmt(d['a'])} → {fmt(d['b'])} ({d['diff']:+.2f} ± {d['se']:.2f})"
                      f"{'' if d['clear'] else ' [dim]within noise[/dim]'}{who}", highlight=False)
    if not summary["differences"]:
        console.print("  none: both sides gave the same verdicts")


def compare_rank(a, b, format, path, users, seed, candidates, show) -> None:
    from service.eval import ranking_metrics
    from service.eval.runner import run_eval

    with tempfile.TemporaryDirectory() as tmp, progress() as bar:
        task = bar.add_task("evaluating users", total=users)
        result, rows, rankings = run_eval(format, path, Path(tmp), users, seed, candidates, True, [a, b],
                                          progress=lambda n, total: bar.update(task, completed=n, total=total))
    t = Table(title=f"{a} vs {b} on {path.name}, {len(rows)} users")
    t.add_column("metric")
    for col in ("identity", f"llm ({a})", f"llm ({b})", f"blend ({a})", f"blend ({b})"):
        t.add_column(col, justify="right")
    r = result["rankers"]
    for m in RANK_METRICS:
        t.add_row(m, *[f"{r[key][m]:.4f}" for key in ("identity", "llm", f"llm@{b}", "blend", f"blend@{b}")])
    console.print(t)
    gaps = []
    for i, row in enumerate(rows):
        na = ranking_metrics.ndcg(rankings["llm"][i], row.target, 10)
        nb = ranking_metrics.ndcg(rankings[f"llm@{b}"][i], row.target, 10)
        gaps.append((abs(na - nb), row.user, na, nb, row.target))
    d = Table(title="users where they disagree most (NDCG@10 of the held-out item)")
    for col in ("user", "target", a, b):
        d.add_column(col)
    for _gap, user, na, nb, target in sorted(gaps, reverse=True)[:show]:
        d.add_row(user, target, f"{na:.3f}", f"{nb:.3f}")
    console.print(d)
