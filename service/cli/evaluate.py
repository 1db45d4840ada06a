"""CLI for evaluation and the call log: eval, logs list/show."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from service.cli.common import console, fail
from service.cli.common import progress as _progress
from service.errors import InvalidInput
from service.settings import get_settings

logs_app = typer.Typer(no_args_is_help=True, help="The log of every LLM call.")

__all__ = ["eval_cmd", "logs_app"]


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
    users: Annotated[int, typer.Option(min=1, help="held-out users to evaluate")] = 300,
    seed: Annotated[int, typer.Option()] = 0,
    candidates: Annotated[int, typer.Option(min=1, help="candidates the LLM reranks")] = 20,
    llm: Annotated[bool, typer.Option("--llm/--no-llm")] = True,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="write the report here")] = None,
    adapted: Annotated[bool, typer.Option("--adapted/--no-adapted",
                                          help="also train and report the adapted reranker")] = True,
    minutes: Annotated[float, typer.Option(min=0, help="training budget for the adapted reranker")] = 30.0,
    feature_cache: Annotated[Optional[Path], typer.Option(
        help="folder that keeps per-item LLM features between runs")] = None,
) -> None:
    """Leave-last-out evaluation of every ranker (deterministic for a seed)."""
    from service.eval.runner import run_eval
    from service.train.evaluate import adapted_extra

    with tempfile.TemporaryDirectory() as tmp, _progress() as bar:
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
    latest = get_settings().latest_eval_path  # what the playground's eval page shows
    for out in [latest] + ([json_out] if json_out else []):
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=2))
        except OSError as e:
            raise InvalidInput(f"cannot write the report to {out}: {e.strerror}") from None
    console.print(f"wrote {json_out or latest}")


@logs_app.command("list")
def logs_list(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    prompt: Annotated[Optional[str], typer.Option(help="prompt name prefix")] = None,
    search: Annotated[Optional[str], typer.Option(help="text in the prompt or output")] = None,
    user: Annotated[Optional[str], typer.Option(help="user id (matched by its hash)")] = None,
) -> None:
    """The latest LLM calls."""
    from service.calllog import CallLog

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

    path = get_settings().calllog_path
    c = CallLog(path).get(call_id)
    if c is None:
        fail(InvalidInput(f"no call {call_id} in {path}: python -m service logs list shows the latest ids"))
        return
    console.print(f"[bold]#{c.id}[/bold] {c.prompt} {c.model} user={c.user_hash} {c.latency_ms} ms "
                  f"{c.tokens} tokens fallback={c.fallback}")
    console.rule("prompt")
    console.print(c.rendered, markup=False, highlight=False)
    console.rule("output")
    console.print(c.output, markup=False, highlight=False)
