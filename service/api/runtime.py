"""What the app's lifespan loads, and the one way handlers reach it."""

from __future__ import annotations

import logging

from service.api.metrics import QUEUE_DEPTH
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

    def load(self) -> None:
        from service.pipeline import Recommender

        try:
            self.recommender = Recommender.open(self.settings, with_llm=self.settings.llm.backend != "none")
            QUEUE_DEPTH.set_function(lambda: self.recommender.rerank.queue_depth)
        except Exception as e:  # reported by /health/ready, never a crash
            log.exception("start-up failed")
            self.error = f"{type(e).__name__}: {e}"

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
