"""CLI for people iterating on prompts: eval, prompts list/render/run/compare, logs."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from service.errors import NotFound, RecsError
from service.settings import get_settings

prompts_app = typer.Typer(no_args_is_help=True, help="Versioned prompt files: list, render, run, compare.")
logs_app = typer.Typer(no_args_is_help=True, help="The log of every LLM call.")


def _ui():
    from service.cli import _fail, _progress, console

    return console, _progress, _fail


METRICS = ("ndcg@10", "recall@10", "recall@20")

# Options shared by the commands that run one prompt for one user.
PromptName = Annotated[str, typer.Argument(help="prompt name (file stem in prompts/)")]
UserOpt = Annotated[Optional[str], typer.Option(help="user id (history comes from the store)")]
QueryOpt = Annotated[Optional[str], typer.Option(help="free-text request")]
CandidatesOpt = Annotated[int, typer.Option("-k", min=2, max=20, help="candidates shown to the model")]


def _table(title: str, result: dict, hr: str) -> Table:
    t = Table(title=title)
    for col in ("ranker", "NDCG@10", "Recall@10", "Recall@20", hr.upper(), "NDCG@10 (in cand.)",
                "coverage@10", "diversity@10"):
        t.add_column(col, justify="right")
    for name, m in result["rankers"].items():
        t.add_row(name, f"{m['ndcg@10']:.4f}", f"{m['recall@10']:.3f}", f"{m['recall@20']:.3f}",
                  f"{m[hr]:.3f}", f"{m['in_candidates']['ndcg@10']:.4f}", f"{m['coverage@10']:.3f}",
                  f"{m['diversity@10']:.3f}")
    return t


def eval_cmd(
    format: Annotated[str, typer.Option("--format", "-f", help="dataset format (see import)")],
    path: Annotated[Path, typer.Option(help="dataset folder or file")],
    users: Annotated[int, typer.Option(help="held-out users to evaluate")] = 300,
    seed: Annotated[int, typer.Option()] = 0,
    candidates: Annotated[int, typer.Option(help="candidates the LLM reranks")] = 20,
    llm: Annotated[bool, typer.Option("--llm/--no-llm")] = True,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="write the report here")] = None,
    adapted: Annotated[bool, typer.Option("--adapted/--no-adapted",
                                          help="also train and report the adapted reranker")] = True,
    minutes: Annotated[float, typer.Option(help="training budget for the adapted reranker")] = 30.0,
    feature_cache: Annotated[Optional[Path], typer.Option(
        help="folder that keeps per-item LLM features between runs")] = None,
) -> None:
    """Leave-last-out evaluation of every ranker (deterministic for a seed)."""
    from service.eval.runner import run_eval
    from service.train.evaluate import adapted_extra

    console, progress, fail = _ui()
    try:
        with tempfile.TemporaryDirectory() as tmp, progress() as bar:
            task = bar.add_task("evaluating users", total=users)
            result, _rows, _ = run_eval(format, path, Path(tmp), users, seed, candidates, llm,
                                        progress=lambda n, total: bar.update(task, completed=n, total=total),
                                        extra=adapted_extra(minutes, feature_cache, seed) if adapted else None)
        hr = f"hr@{candidates}"
        cfg = result["config"]
        console.print(_table(f"{path.name}: {cfg['users']} users (held-out item among the {candidates} "
                             f"candidates for {cfg['users_with_target_in_candidates']}); model {cfg['model']}",
                             result, hr))
        lat = ", ".join(f"{k} p50 {v['p50']:.0f} / p95 {v['p95']:.0f} ms" for k, v in result["latency_ms"].items())
        console.print(f"latency: {lat}")
        if "adapted" in cfg:
            a = cfg["adapted"]
            console.print(f"adapted reranker: pool {a['pool']}, serving variant {a['chosen']} ({a['reason']}); "
                          f"training seconds {a['train_seconds']}")
        from service.settings import get_settings

        latest = get_settings().latest_eval_path  # what the playground's eval page shows
        for out in [latest] + ([json_out] if json_out else []):
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=2))
        console.print(f"wrote {json_out or latest}")
    except RecsError as e:
        fail(e)


@prompts_app.command("list")
def prompts_list() -> None:
    """Every prompt file with its version, kind and variables."""
    from service.prompts import list_prompts, load_prompt

    console, _, fail = _ui()
    t = Table(title="prompts/")
    for col in ("name", "version", "kind", "variables", "labels", "description"):
        t.add_column(col)
    for name in list_prompts():
        try:
            p = load_prompt(name)
            t.add_row(p.name, str(p.version), p.kind, ", ".join(p.variables), str(len(p.labels) or ""),
                      p.description.strip()[:80])
        except RecsError as e:
            t.add_row(name, "-", "invalid", "", "", str(e)[:80])
    console.print(t)


def _setup(name: str, user: str | None, query: str | None, k: int):
    from service.pipeline import Recommender
    from service.prompts import load_prompt
    from service.rerank.listwise import LetterLogitReranker
    from service.types import CandidateRequest

    s = get_settings()
    prompt = load_prompt(name)
    rec = Recommender.open(s, with_llm=True)
    res = rec.candidates(CandidateRequest(user_id=user, query=query, k=k), k)
    ids = [c.item_id for c in res.candidates]
    items = rec.store.get_items(ids + res.history[-s.llm.history_items:])
    history = [items[i] for i in res.history[-s.llm.history_items:] if i in items]
    rr = LetterLogitReranker(rec.backend, prompt, history_items=s.llm.history_items,
                             text_chars=s.llm.text_chars)
    return rec, rr, history, [items[i] for i in ids]


@prompts_app.command("render")
def prompts_render(name: PromptName, user: UserOpt = None, query: QueryOpt = None, k: CandidatesOpt = 20) -> None:
    """Print exactly what the model sees for this user, with its token count."""
    console, _, fail = _ui()
    try:
        rec, rr, history, shown = _setup(name, user, query, k)
        text = rr.render(history, shown)
        console.print(text, markup=False, highlight=False)
        console.print(f"[dim]{rr.prompt.ref}: {rec.backend.count_tokens(text)} tokens "
                      f"for {rec.model_id}[/dim]")
    except RecsError as e:
        fail(e)


@prompts_app.command("run")
def prompts_run(name: PromptName, user: UserOpt = None, query: QueryOpt = None, k: CandidatesOpt = 20) -> None:
    """Run a rank prompt once and print each candidate's label score and the latency."""
    console, _, fail = _ui()
    try:
        rec, rr, history, shown = _setup(name, user, query, k)
        rendered: list[str] = []
        t = time.perf_counter()
        lp = rr.position_logprobs(history, shown, rendered)
        ms = (time.perf_counter() - t) * 1000
        rec.calllog.record("score", rr.prompt.ref, rendered[0], dict(zip(rr.labels, lp.tolist())),
                           model=rec.model_id, user_id=user, latency_ms=round(ms, 1),
                           tokens=rec.backend.count_tokens(rendered[0]))
        t = Table(title=f"{rr.prompt.ref} for user={user} query={query!r}")
        for col in ("label", "item", "title", "log-prob", "model rank"):
            t.add_column(col)
        ranks = {i: r + 1 for r, i in enumerate(sorted(range(len(lp)), key=lambda i: -lp[i]))}
        for i, (lab, it) in enumerate(zip(rr.labels, shown)):
            t.add_row(lab, it.item_id, it.title, f"{lp[i]:.3f}", str(ranks[i]))
        console.print(t)
        console.print(f"[dim]{ms:.0f} ms, {rec.backend.count_tokens(rendered[0])} tokens[/dim]")
    except RecsError as e:
        fail(e)


@prompts_app.command("compare")
def prompts_compare(
    a: Annotated[str, typer.Argument(help="first rank prompt")],
    b: Annotated[str, typer.Argument(help="second rank prompt")],
    format: Annotated[str, typer.Option("--format", "-f")],
    path: Annotated[Path, typer.Option()],
    users: Annotated[int, typer.Option()] = 100,
    seed: Annotated[int, typer.Option()] = 0,
    candidates: Annotated[int, typer.Option()] = 20,
    show: Annotated[int, typer.Option(help="users where the two disagree most")] = 5,
) -> None:
    """Two rank prompts on the same users and candidates: metrics side by side, and the
    users on whom they disagree most."""
    from service.eval import metrics
    from service.eval.runner import run_eval

    console, progress, fail = _ui()
    try:
        with tempfile.TemporaryDirectory() as tmp, progress() as bar:
            task = bar.add_task("evaluating users", total=users)
            result, rows, rankings = run_eval(format, path, Path(tmp), users, seed, candidates, True, [a, b],
                                              progress=lambda n, total: bar.update(task, completed=n, total=total))
        t = Table(title=f"{a} vs {b} on {path.name}, {len(rows)} users")
        t.add_column("metric")
        for col in ("identity", f"llm ({a})", f"llm ({b})", f"blend ({a})", f"blend ({b})"):
            t.add_column(col, justify="right")
        r = result["rankers"]
        for m in METRICS:
            t.add_row(m, *[f"{r[k][m]:.4f}" for k in ("identity", "llm", f"llm@{b}", "blend", f"blend@{b}")])
        console.print(t)
        gaps = []
        for i, row in enumerate(rows):
            na = metrics.ndcg(rankings["llm"][i], row.target, 10)
            nb = metrics.ndcg(rankings[f"llm@{b}"][i], row.target, 10)
            gaps.append((abs(na - nb), row.user, na, nb, row.target))
        d = Table(title="users where they disagree most (NDCG@10 of the held-out item)")
        for col in ("user", "target", a, b):
            d.add_column(col)
        for gap, user, na, nb, target in sorted(gaps, reverse=True)[:show]:
            d.add_row(user, target, f"{na:.3f}", f"{nb:.3f}")
        console.print(d)
    except RecsError as e:
        fail(e)


@logs_app.command("list")
def logs_list(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    prompt: Annotated[Optional[str], typer.Option(help="prompt name prefix")] = None,
    search: Annotated[Optional[str], typer.Option(help="text in the prompt or output")] = None,
    user: Annotated[Optional[str], typer.Option(help="user id (matched by its hash)")] = None,
) -> None:
    """The latest LLM calls."""
    from service.calllog import CallLog

    console, _, _ = _ui()
    s = get_settings()
    t = Table(title=f"LLM calls ({s.calllog_path})")
    for col in ("id", "when", "prompt", "model", "user", "ms", "tokens", "fallback"):
        t.add_column(col)
    for c in CallLog(s.calllog_path).list(limit, prompt, search, user):
        t.add_row(str(c.id), time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(c.ts)), c.prompt, c.model or "",
                  c.user_hash or "", f"{c.latency_ms or 0:.0f}", str(c.tokens or ""), c.fallback or "")
    console.print(t)


@logs_app.command("show")
def logs_show(call_id: Annotated[int, typer.Argument()]) -> None:
    """One call in full: the rendered prompt and the output or scores."""
    from service.calllog import CallLog

    console, _, fail = _ui()
    c = CallLog(get_settings().calllog_path).get(call_id)
    if c is None:
        fail(NotFound(f"no call {call_id}"))
        return
    console.print(f"[bold]#{c.id}[/bold] {c.prompt} {c.model} user={c.user_hash} {c.latency_ms} ms "
                  f"{c.tokens} tokens fallback={c.fallback}")
    console.rule("prompt")
    console.print(c.rendered, markup=False, highlight=False)
    console.rule("output")
    console.print(c.output, markup=False, highlight=False)
