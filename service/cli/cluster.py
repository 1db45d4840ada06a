"""`serve` (one process, or several API workers over PostgreSQL) and `worker` (the one
process that rebuilds indexes, publishes snapshots and runs the trainer)."""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Annotated

import typer

from service.errors import RecsError
from service.settings import get_settings


def serve_cmd(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API processes; more than 1 needs RECS_STORE_URL "
                                         "(PostgreSQL) and RECS_CHROMA_URL")] = 1,
    indexer: Annotated[bool, typer.Option(help="with --workers > 1: also start `worker` (indexes, "
                                          "snapshots, trainer) as a child; off when it runs elsewhere")] = True,
) -> None:
    """Run the HTTP API (OpenAPI at /schema)."""
    import uvicorn

    from service.cli.common import fail as _fail
    from service.deploy import check_shared

    s = get_settings()
    if workers == 1 and s.role == "all":
        from service.api.app import create_app

        app = create_app(s.model_copy(update={"serve": s.serve.model_copy(update={"exit_on_start_failure": True})}))
        uvicorn.run(app, host=host, port=port, log_level="info")
        if app.state.runtime.error:
            _fail(RecsError(f"could not start: {app.state.runtime.error}"))
        return
    check_shared(s, f"--workers {workers}" if workers > 1 else "RECS_ROLE=api")
    from service.supervisor import Supervisor

    logging.basicConfig(level=logging.INFO, format="%(asctime)s serve %(levelname)s %(message)s")
    shared_metrics = _metrics_folder()
    supervisor = Supervisor(s, host=host, port=port, workers=workers, indexer=indexer)
    try:
        code = supervisor.run()
    finally:
        if shared_metrics is not None:
            shared_metrics.cleanup()
    if code:
        _fail(RecsError(f"serve stopped: {supervisor.failed}"))


def _metrics_folder():
    """Where the workers write their Prometheus samples so that any of them answers
    `/metrics` for all (prometheus_client's multiprocess mode): PROMETHEUS_MULTIPROC_DIR if
    set, emptied of an earlier run's files, else a temporary folder removed on exit."""
    import tempfile
    from pathlib import Path

    from service.api.metrics import MULTIPROC_ENV

    given = os.environ.get(MULTIPROC_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for old in Path(given).glob("*.db"):
            old.unlink()
        return None
    folder = tempfile.TemporaryDirectory(prefix="recs-metrics-")
    # Not a setting: prometheus_client reads this variable from the environment when it is
    # imported, and the spawned API processes inherit os.environ, so it is set here, before
    # they start. Settings reach the children as Settings objects (supervisor.py).
    os.environ[MULTIPROC_ENV] = folder.name
    return folder


def worker_cmd(
    poll: Annotated[float, typer.Option(help="seconds between looks at the store")] = 1.0,
    parent_pid: Annotated[int | None, typer.Option(help="exit when this process is gone")] = None,
    once: Annotated[bool, typer.Option(help="publish one snapshot if anything changed, then exit")] = False,
) -> None:
    """The indexer: rebuilds the CF matrices and Chroma's items when the store changes and
    publishes each build as a snapshot that API workers (RECS_ROLE=api) load; starts the
    background trainer, whose artifacts they load too. One per deployment."""
    from service.cli.common import err
    from service.deploy import check_shared
    from service.indexer import Indexer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per Chroma call
    s = get_settings().model_copy(update={"role": "all"})
    check_shared(s, "the worker")
    lock = Indexer.lock(s)
    if lock is None:
        err.print(f"another worker already publishes to {s.index_dir}; exiting")
        raise typer.Exit(0)
    indexer = Indexer(s, lock)
    if once:
        indexer.step(wait=True)
        return
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    indexer.start_trainer()
    try:
        while not stop["now"] and (parent_pid is None or os.getppid() == parent_pid):
            indexer.step()
            time.sleep(poll)
    finally:
        indexer.stop()
