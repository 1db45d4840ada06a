"""The rerank stage as the pipeline sees it: LLM scores, then the blend, with a time
budget and fallbacks. Whatever happens, the output is a permutation of the input.

Which blend is used:
- a fitted artifact for this model and prompt version (`train-blend` writes it); if its
  LLM weight is zero the LLM is not called at all (it would only add latency);
- otherwise a prior blend: the candidate order with the LLM as a tie-breaker.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from service.calllog import CallLog
from service.llm.base import LLMBackend
from service.prompts import PromptFile, load_prompt
from service.rerank.base import IdentityReranker, RerankResult
from service.rerank.blend import BASE_FEATURES, LLM_FEATURES, Blend, features
from service.rerank.listwise import LetterLogitReranker
from service.settings import Settings
from service.types import Candidate, Item

log = logging.getLogger(__name__)


def prior_blend() -> Blend:
    w = [0.0] * len(BASE_FEATURES + LLM_FEATURES)
    w[0], w[-1] = 1.0, 0.1
    return Blend(w, 0.0, meta={"kind": "prior", "reason": "no fitted blend for this model and prompt"})


def blend_path(settings: Settings, model_id: str, prompt: PromptFile) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)
    return settings.artifacts_dir / f"blend-{slug}-{prompt.name}-v{prompt.version}.json"


@dataclass
class StageResult:
    candidates: list[Candidate]
    reranked: bool
    fallback_reason: str | None
    model: str | None
    prompt_version: str | None
    blend: str
    llm_ms: float = 0.0
    llm_scores: dict[str, float] = field(default_factory=dict)
    overloaded: bool = False


class RerankStage:
    def __init__(self, settings: Settings, backend: LLMBackend | None, calllog: CallLog | None = None) -> None:
        cfg = settings.llm
        self.settings, self.backend, self.calllog = settings, backend, calllog
        self.prompt = load_prompt(cfg.rank_prompt)
        self.model_id = backend.model_id if backend else None
        self.blend = self._load_blend()
        calibration = self.blend.meta.get("calibration")
        # The model is one shared resource: one worker runs it, requests queue (bounded).
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")
        self._pending = 0
        self._pending_lock = threading.Lock()
        self.reranker = (
            LetterLogitReranker(backend, self.prompt, orders=cfg.orders, calibration=calibration,
                                history_items=cfg.history_items, text_chars=cfg.text_chars)
            if backend else IdentityReranker()
        )

    def _load_blend(self) -> Blend:
        if self.backend is None:
            return Blend.identity("no LLM configured")
        path = blend_path(self.settings, self.backend.model_id, self.prompt)
        if path.exists():
            try:
                return Blend.load(path)
            except (ValueError, KeyError, OSError) as e:
                log.warning("blend artifact %s is unreadable (%s); using the prior blend", path, e)
        return prior_blend()

    def set_blend(self, blend: Blend) -> None:
        self.blend = blend
        if isinstance(self.reranker, LetterLogitReranker) and blend.meta.get("calibration"):
            self.reranker.calibration = np.asarray(blend.meta["calibration"])

    @property
    def queue_depth(self) -> int:
        return self._pending

    def _rerank(self, history, candidates, items, budget) -> RerankResult:
        try:
            return self.reranker.rerank(history, candidates, items, budget_s=budget)
        finally:
            with self._pending_lock:
                self._pending -= 1

    def _log(self, res: RerankResult, user_id: str | None) -> None:
        if self.calllog is None or not res.prompts:
            return
        self.calllog.record("score", self.prompt.ref, res.prompts[0], res.llm_scores or {}, model=self.model_id,
                            user_id=user_id, latency_ms=round(res.latency_ms, 1), tokens=res.tokens,
                            fallback=res.fallback_reason)

    def run(self, history: list[Item], candidates: list[Candidate], items: dict[str, Item],
            popularity: dict[str, float], user_id: str | None = None) -> StageResult:
        kind = self.blend.meta.get("kind", "logistic")
        base = dict(model=self.model_id, prompt_version=self.prompt.ref, blend=kind)
        if self.backend is None:
            return StageResult(candidates, False, "no LLM configured", **base)
        if abs(self.blend.llm_weight) < 1e-9:
            x = features(candidates, popularity)
            reason = "the fitted blend gives the LLM zero weight on this catalog"
            return StageResult(self.blend.order(candidates, x), False, reason, **base)
        t0 = time.perf_counter()
        budget = self.settings.llm.budget_ms / 1000
        with self._pending_lock:
            if self._pending >= self.settings.llm.max_queue:
                return StageResult(candidates, False, f"overloaded: {self._pending} requests waiting for the model",
                                   overloaded=True, **base)
            self._pending += 1
        future = self._pool.submit(self._rerank, history, candidates, items, budget)
        try:
            res: RerankResult = future.result(timeout=budget + self.settings.llm.queue_timeout_ms / 1000)
        except FutureTimeout:
            if future.cancel():  # never started: it will not decrement itself
                with self._pending_lock:
                    self._pending -= 1
            llm_ms = (time.perf_counter() - t0) * 1000
            return StageResult(candidates, False, f"timeout after {llm_ms:.0f} ms", llm_ms=llm_ms, **base)
        llm_ms = (time.perf_counter() - t0) * 1000
        self._log(res, user_id)
        if not res.reranked:
            return StageResult(candidates, False, res.fallback_reason, llm_ms=llm_ms, **base)
        x = features(candidates, popularity, res.llm_scores)
        return StageResult(self.blend.order(candidates, x), True, None, llm_ms=llm_ms,
                           llm_scores=res.llm_scores, **base)
