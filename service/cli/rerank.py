"""CLI for the adapted reranker: train it on the store's events (once, or as the
background trainer), list its artifacts."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from service.settings import get_settings

rerankers_app = typer.Typer(no_args_is_help=True, help="Adapted reranker artifacts.")


def train_reranker_cmd(
    minutes: Annotated[float, typer.Option(help="time budget; LLM item features stop at 80% of it")] = 30.0,
    users: Annotated[Optional[int], typer.Option(help="users sampled per split (default: up to 2000)")] = 2000,
    splits: Annotated[int, typer.Option(min=1, max=10, help="earlier events per user used as fit targets")] = 3,
    pool: Annotated[int, typer.Option(min=10, max=1000, help="candidates the reranker orders")] = 100,
    llm: Annotated[bool, typer.Option("--llm/--no-llm", help="use frozen LLM features")] = True,
    exposure: Annotated[bool, typer.Option("--exposure/--no-exposure",
                                           help="learn from what was shown (kept only where it helps)")] = True,
    seed: Annotated[int, typer.Option()] = 0,
    force: Annotated[bool, typer.Option(help="serve it even if validation does not show a reliable gain")] = False,
) -> None:
    """Adapt the reranker to this catalog's own interactions (by time: each user's
    latest event validates, earlier ones train) and make it the served artifact. A
    running service switches to it on its next request; until then it keeps the old one."""
    from service.cli.common import progress as _progress, console
    from service.llm import make_backend
    from service.train.fit_adapted import TrainOptions, train_and_save
    from service.store import open_store

    s = get_settings()
    backend = make_backend(s) if llm else None
    with _progress() as bar:
        tasks: dict[str, int] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        opts = TrainOptions(minutes=minutes, users=users, fit_splits=splits, pool=pool, learn_exposure=exposure)
        trained, path = train_and_save(s, open_store(s), backend, opts, progress=tick, force=force)
    rep = trained.report
    table = Table(title=f"adapted reranker ({rep.examples} examples with the target in the pool)")
    table.add_column("ranker")
    table.add_column("validation NDCG@10", justify="right")
    for name, row in rep.rows.items():
        table.add_row(name + (" (served)" if name == rep.chosen else ""), f"{row['validation_ndcg@10']:.4f}")
    console.print(table)
    if rep.exposure.get("why"):
        console.print(f"learning from exposure: {'kept' if rep.exposure['kept'] else 'not used'} "
                      f"({rep.exposure['why']})")
    if rep.llm_feature_items:
        console.print(f"LLM features for {rep.llm_feature_items[0]} of {rep.llm_feature_items[1]} items "
                      "(the rest fill in the background when served)")
    console.print(f"{rep.reason}\ntime: " + ", ".join(f"{k} {v:.0f} s" for k, v in rep.seconds.items()))
    served = rep.servable or force
    console.print(f"saved {path}" + ("; it is now served" if served else
                                     "; NOT served (the previous artifact or the blend stays in charge; "
                                     "--force to serve it anyway)"))



def trainer_cmd(
    settings_file: Annotated[Optional[Path], typer.Option(help="settings as JSON (what `serve` passes)")] = None,
    parent_pid: Annotated[Optional[int], typer.Option(help="exit when this process is gone")] = None,
    once: Annotated[bool, typer.Option(help="look once (train if due) and exit")] = False,
) -> None:
    """The background trainer: fits the adapted reranker when the catalog has enough
    held-out signal, refits as events arrive, computes LLM item features for new items
    between runs. `serve` starts it; run it yourself with RECS_TRAINER__ENABLED=false."""
    import logging

    from service.cli.common import console, err
    from service.llm import make_backend
    from service.settings import Settings
    from service.train.background import BackgroundTrainer
    from service.train.launcher import SingleTrainer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s trainer %(levelname)s %(message)s")
    s = Settings.model_validate_json(settings_file.read_text()) if settings_file else get_settings()
    lock = SingleTrainer(s)
    if not lock.acquire():
        err.print(f"another trainer already runs for {s.data_dir}; exiting")
        raise typer.Exit(0)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    trainer = BackgroundTrainer(s, backend_factory=(lambda: make_backend(s)) if s.llm.backend != "none" else None,
                                server_pid=parent_pid)
    if once:
        console.print(trainer.step())
        console.print(json.dumps(trainer.status, indent=1, default=str))
        return

    def should_stop() -> bool:
        return stop["now"] or (parent_pid is not None and os.getppid() != parent_pid)

    trainer.run_forever(should_stop)


@rerankers_app.command("list")
def list_cmd() -> None:
    """Every adapted reranker artifact in the data dir; `*` marks the served one."""
    from service.cli.common import console
    from service.rerank.adapted import list_artifacts

    rows = list_artifacts(get_settings().artifacts_dir / "adapted")
    if not rows:
        console.print("no adapted reranker trained yet: run `python -m service train-reranker`")
        return
    table = Table(title="adapted rerankers")
    for col in ("", "version", "kind", "model", "prompt", "snapshot", "validation NDCG@10", "trained"):
        table.add_column(col)
    for r in rows:
        val = r.get("validation", {}).get(r.get("kind", ""), {}).get("validation_ndcg@10")
        table.add_row("*" if r["current"] else "", r["version"], str(r.get("kind")), str(r.get("model")),
                      str(r.get("prompt")), f"e{r.get('snapshot_event_id')}",
                      f"{val:.4f}" if val is not None else "-", str(r.get("trained_at")))
    console.print(table)
