"""The background trainer: the service learns by itself.

A loop (run by `python -m service trainer`, which `serve` starts as a low-priority child
process) watches the store and fits the adapted reranker when there is enough held-out
signal, again when enough new events have come, and once more when the frozen LLM item
features are ready. Between runs it computes those features for items that lack them
(new items only: the cache is keyed by item text). Each run swaps the served artifact
atomically, and only when the guards pass (beats the candidate order on validation
users; LLM columns only when they beat their ablation). Its state goes to
`<data_dir>/trainer/status.json`, which the server reports in `/health/ready` and
`/metrics`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from service.llm.cpu import CpuShare, process_cpu
from service.feedback import Feedback
from service.settings import Settings, TrainerSettings
from service.store import Store, open_store

log = logging.getLogger(__name__)
FAILURE_BACKOFF_S = 600.0
FEATURE_CHUNK_S = 30.0  # compute LLM item features in slices this long, so a due run is not delayed much


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def status_path(settings: Settings) -> Path:
    return settings.trainer_dir / "status.json"


def read_status(settings: Settings) -> dict | None:
    try:
        return json.loads(status_path(settings).read_text())
    except (OSError, ValueError):
        return None


def write_status(settings: Settings, status: dict) -> None:
    path = status_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    tmp.write_text(json.dumps(status, indent=1, default=str))
    tmp.replace(path)


class ServerLoad:
    """How busy the serving process is, from its CPU time in /proc: the trainer yields
    to it between slices of model work (the model's memory traffic slows requests on the
    other core far more than its one thread's share of CPU suggests)."""

    def __init__(self, pid: int | None, busy_share: float = 0.15) -> None:
        self.cpu, self.busy_share = CpuShare(lambda: process_cpu(pid)), busy_share

    def busy(self) -> bool:
        return self.cpu.share() > self.busy_share

    def wait_while_busy(self, at_most_s: float = 5.0, step_s: float = 0.25) -> float:
        """Sleep while the server works (at most `at_most_s`, so work still advances)."""
        waited = 0.0
        while waited < at_most_s and self.busy():
            time.sleep(step_s)
            waited += step_s
        return waited


@dataclass
class Snapshot:
    last_event_id: int
    events: int
    ready_users: int  # users with at least min_user_events events


class TrainerPolicy:
    """When to train. Pure: it reads a snapshot, the last run, and the clock."""

    def __init__(self, cfg: TrainerSettings) -> None:
        self.cfg = cfg

    def due(self, snap: Snapshot, last: dict | None, quiet_s: float, now: float,
            features_ready: bool = False) -> tuple[bool, str]:
        cfg = self.cfg
        if snap.ready_users < cfg.min_users:
            return False, (f"waiting for signal: {snap.ready_users} of {cfg.min_users} users have "
                           f"{cfg.min_user_events}+ events")
        if quiet_s < cfg.settle_s:
            return False, f"events still arriving; training starts {cfg.settle_s:.0f}s after the last one"
        if last is None:
            return True, "first run: enough held-out signal"
        if last.get("failed") and now - last.get("finished_ts", 0) < FAILURE_BACKOFF_S:
            return False, "the last run failed; retrying after a back-off"
        new = snap.last_event_id - last.get("snapshot_event_id", 0)
        if new >= cfg.refit_after_events:
            return True, f"{new} new events (refit after {cfg.refit_after_events})"
        if new > 0 and new >= cfg.refit_growth * max(last.get("events", 0), 1):
            return True, f"{new} new events, {new / max(last.get('events', 1), 1):.0%} growth"
        if new > 0 and now - last.get("finished_ts", now) >= cfg.refit_after_s:
            return True, f"{new} new events and {cfg.refit_after_s / 3600:.0f}h since the last run"
        if features_ready and not last.get("with_llm_features"):
            return True, "LLM item features are ready"
        return False, f"up to date; next run after {max(self.events_to_next(snap, last), 1)} more events"

    def events_to_next(self, snap: Snapshot, last: dict | None) -> int | None:
        if last is None:
            return None
        need = min(self.cfg.refit_after_events, max(1, int(self.cfg.refit_growth * max(last.get("events", 0), 1))))
        return max(0, need - (snap.last_event_id - last.get("snapshot_event_id", 0)))


class BackgroundTrainer:
    """`clock` measures how long the store has been quiet (the settle time); tests pass a
    fake one instead of sleeping past `settle_s`."""

    def __init__(self, settings: Settings, store: Store | None = None,
                 backend_factory: Callable[[], object] | None = None, server_pid: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.cfg, self.clock = settings, settings.trainer, clock
        self.load = ServerLoad(server_pid)
        self.store = store or open_store(settings)
        self.policy = TrainerPolicy(self.cfg)
        self._backend_factory = backend_factory
        self._backend = None
        self._features = None
        old = read_status(settings) or {}
        self.status: dict = {"state": "starting", "pid": os.getpid(), "started_at": _now(),
                             "last_run": old.get("last_run"), "runs": old.get("runs", 0)}
        self._seen_id, self._seen_at = -1, clock()

    # -- what the store looks like ---------------------------------------------------------
    def snapshot(self) -> Snapshot:
        s = self.store
        return Snapshot(s.last_event_id(), s.stats().events, s.users_with_events(self.cfg.min_user_events))

    def quiet_for(self, last_event_id: int) -> float:
        if last_event_id != self._seen_id:
            self._seen_id, self._seen_at = last_event_id, self.clock()
        return self.clock() - self._seen_at

    # -- LLM item features, between runs ------------------------------------------------------
    def backend(self):
        if self._backend is None and self._backend_factory is not None and self.cfg.llm_features:
            try:
                self._backend = self._backend_factory()
            except Exception as e:  # no model: train without LLM features, say so
                log.warning("trainer: no LLM backend (%s); training without LLM features", e)
                self._backend_factory = None
        return self._backend

    def feature_cache(self):
        from service.rerank.item_features import ItemFeatureCache, cache_path, supports_hidden_states

        backend = self.backend()
        if not supports_hidden_states(backend):
            return None
        if self._features is None:
            self._features = ItemFeatureCache(cache_path(self.settings.artifacts_dir, backend.model_id), backend)
        return self._features

    def features_missing(self) -> int | None:
        cache = self.feature_cache()
        return None if cache is None else len(cache.missing(self.store.iter_items()))

    def compute_features(self, budget_s: float = FEATURE_CHUNK_S) -> int:
        """A slice of the missing item features, most popular items first."""
        cache = self.feature_cache()
        if cache is None:
            return 0
        missing = {it.item_id: it for it in cache.missing(self.store.iter_items())}
        if not missing:
            return 0
        counts: dict[str, int] = {}
        for _u, item, *_rest in Feedback(self.settings.feedback).positive_rows(self.store.iter_events()):
            if item in missing:
                counts[item] = counts.get(item, 0) + 1
        order = sorted(missing, key=lambda i: -counts.get(i, 0))
        self._set(state="computing LLM item features", features_missing=len(order))
        # between batches, yield to the server while it is answering requests
        return cache.ensure([missing[i] for i in order], budget_s=budget_s,
                            progress=lambda done, total: self.load.wait_while_busy())

    # -- one run --------------------------------------------------------------------------------
    def _set(self, **kw) -> None:
        self.status.update(kw)
        write_status(self.settings, self.status)

    def run_once(self, reason: str = "manual") -> dict:
        from service.train.fit_adapted import TrainOptions, train_and_save

        snap = self.snapshot()
        missing = self.features_missing()
        backend = self.backend() if missing == 0 else None  # LLM columns only once every item has them
        why_not = ("LLM item features are off" if missing is None else
                   f"LLM item features are still being computed ({missing} items missing); a run follows "
                   "when they are ready")
        t0 = time.time()
        self._set(state="training", phase="adapted reranker", run_reason=reason,
                  run_started_at=_now(), progress=None)

        def progress(stage: str, done: int, total: int) -> None:
            self.status["progress"] = {"stage": stage, "done": done, "total": total}
            write_status(self.settings, self.status)

        opts = TrainOptions(minutes=self.cfg.minutes, users=self.cfg.users, feature_cache=self.settings.artifacts_dir,
                            learn_fusion=self.cfg.learn_fusion, no_llm_reason=why_not)
        trained, path = train_and_save(self.settings, self.store, backend, opts, progress=progress)
        rep = trained.report
        run = {
            "reason": reason, "started": datetime.fromtimestamp(t0, timezone.utc).isoformat(timespec="seconds"),
            "finished": _now(), "finished_ts": time.time(), "seconds": round(time.time() - t0, 1),
            "snapshot_event_id": snap.last_event_id, "events": snap.events,
            "examples": rep.examples, "validation": rep.rows, "chosen": rep.chosen, "reason_chosen": rep.reason,
            "served": rep.servable, "artifact": trained.chosen.version,
            "with_llm_features": backend is not None, "llm_feature_items": rep.llm_feature_items,
        }
        if self.cfg.fit_blend and self.backend() is not None:
            run["blend"] = self._fit_blend()
        current = self.settings.artifacts_dir / "adapted" / "CURRENT"
        served = current.read_text().strip() if current.exists() else None
        self._set(state="idle", phase=None, progress=None, last_run=run, runs=self.status.get("runs", 0) + 1,
                  served_artifact=served)
        log.info("trainer: %s -> %s (%s)", reason, trained.chosen.version, rep.reason)
        return run

    def _fit_blend(self) -> dict:
        from service.train.fit_blend import train_blend

        self._set(phase="blend")
        blend, path = train_blend(self.settings, self.store, self.backend(), users=self.cfg.blend_users)
        return {"kind": blend.meta.get("kind"), "llm_weight": blend.llm_weight, "path": str(path),
                "validation_ndcg@10": blend.meta.get("validation_ndcg@10")}

    # -- the loop ------------------------------------------------------------------------------
    def step(self) -> str:
        """Look once; train if due, else compute a slice of LLM features. Returns what it did."""
        snap = self.snapshot()
        quiet = self.quiet_for(snap.last_event_id)
        last = self.status.get("last_run")
        missing = self.features_missing() if last else None
        due, why = self.policy.due(snap, last, quiet, time.time(), features_ready=missing == 0)
        if due:
            try:
                self.run_once(why)
                return "trained"
            except Exception as e:
                log.exception("trainer run failed")
                error = f"{type(e).__name__}: {e}"
                self._set(state="failed", phase=None, error=error, traceback=traceback.format_exc(limit=8),
                          last_error={"error": error, "at": time.time()},
                          failed_runs=self.status.get("failed_runs", 0) + 1,
                          last_run={**(last or {}), "failed": True, "finished_ts": time.time()})
                return "failed"
        if last and missing and quiet >= self.cfg.settle_s:
            self.compute_features()
            self._set(state="idle", next_run=why, features_missing=self.features_missing())
            return "features"
        self._set(state="waiting" if last is None else "idle", next_run=why,
                  events_to_next_run=self.policy.events_to_next(snap, last), features_missing=missing)
        return "waited"

    def run_forever(self, should_stop: Callable[[], bool]) -> None:
        while not should_stop():
            self.step()
            time.sleep(self.cfg.poll_s)
        self._set(state="stopped")
