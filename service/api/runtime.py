"""What the app's lifespan loads, and the one way handlers reach it."""

from __future__ import annotations

import logging
import os
import signal

from service import workers
from service.api.metrics import QUEUE_DEPTH, TRAINER
from service.errors import NotReady
from service.settings import Settings

log = logging.getLogger(__name__)


class Runtime:
    """What the lifespan loads; handlers get the Recommender from here."""

    def __init__(self, settings: Settings, recommender=None) -> None:
        self.settings = settings
        self.recommender = recommender
        self.error: str | None = None
        self._chat = None
        self.trainer = None  # the background trainer's process, when this server started one
        TRAINER.source = self.trainer_status
        self._report("starting")

    @property
    def supervised(self) -> bool:
        """One of `serve --workers N`'s API processes (which report their state)."""
        return self.settings.serve.slot is not None and self.settings.serve.status_dir is not None

    def _report(self, state: workers.State, error: str | None = None) -> None:
        if self.supervised:
            workers.report(self.settings.serve.status_dir, self.settings.serve.slot, state, error)

    def deployment(self) -> tuple[bool, list[dict] | None]:
        """(every API process of the deployment is ready, their rows); this one alone when
        not supervised."""
        if not self.supervised:
            return self.recommender is not None, None
        ready, rows = workers.deployment(self.settings.serve.status_dir, self.settings.serve.workers)
        return ready and self.recommender is not None, rows

    def load(self) -> None:
        from service.pipeline import Recommender

        # One OpenMP thread for the few-ms model predictions on the request path: with two,
        # a busy second core (the trainer, the model) makes OpenMP's barrier spin and p95
        # triple (measured in scripts/bench_replay.py).
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="openmp")
        # and one BLAS thread: the profile search's matrix-vector product is ~1 ms of work,
        # and OpenBLAS's threads spin for much longer than that after it (measured: a
        # server took 1.8 cores at 74 req/s with them, scripts/bench_scale.py)
        threadpool_limits(limits=1, user_api="blas")
        try:
            self.recommender = Recommender.open(self.settings, with_llm=self.settings.llm.backend != "none")
            QUEUE_DEPTH.set_function(lambda: self.recommender.rerank.queue_depth)
            # events that came before a restart (or a bulk import) reach the index without new writes
            self.recommender.refresh_in_background()
            _ = self.recommender.explainer  # per-language blurb models load now, not on the first chat
        except Exception as e:
            log.exception("start-up failed")
            self.error = f"{type(e).__name__}: {e}"
            self._report("failed", self.error)
            if self.supervised or self.settings.serve.exit_on_start_failure:
                # never serve 503s for ever: stop; the supervisor (or the `serve` command) says why
                os.kill(os.getpid(), signal.SIGTERM)
            return
        self._report("ready")
        self.start_trainer()

    def start_trainer(self) -> None:
        if not self.settings.trainer.enabled or self.trainer is not None or self.settings.role == "api":
            return  # an 'api' process: the worker runs the trainer
        from service.train.launcher import TrainerProcess

        try:
            self.trainer = TrainerProcess(self.settings)
            self.trainer.start()
        except OSError:
            log.exception("could not start the background trainer; the service keeps serving without it")
            self.trainer = None

    def stop(self) -> None:
        if self.trainer is not None:
            self.trainer.stop()

    def trainer_status(self) -> dict | None:
        """The trainer's last reported state, plus whether its process runs."""
        from service.train.background import read_status

        status = read_status(self.settings)
        if status is None and not self.settings.trainer.enabled:
            return None
        out = dict(status or {"state": "not started"})
        out.pop("traceback", None)
        out["enabled"] = self.settings.trainer.enabled
        if self.trainer is not None:
            out["process_alive"] = self.trainer.alive
        return out

    def chat(self):
        from service.chat import Chat

        rec = self.get()
        if self._chat is None or self._chat.rec is not rec:
            self._chat = Chat(rec, rec.explainer)
        return self._chat

    def get(self):
        if self.recommender is None:
            raise NotReady(self.error or "still loading indexes and the model; retry shortly")
        return self.recommender
