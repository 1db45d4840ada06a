"""The rerank stage: every reranker goes through this one door, which owns the time
budget, the model's bounded queue and the fallbacks. Whatever happens, the output is a
permutation of the input, and the reason is said when it is the input order."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from service.calllog import CallLog
from service.rerank.base import Fallback, RerankContext, Reranker, RerankResult, fallback, permutation_or_fallback
from service.settings import Settings
from service.types import Candidate

log = logging.getLogger(__name__)


@dataclass
class StageResult:
    candidates: list[Candidate]
    reranked: bool
    fallback_reason: str | None
    fallback: Fallback | None
    ranker: str
    version: str
    model: str | None = None
    prompt_version: str | None = None
    llm_ms: float = 0.0
    rerank_ms: float = 0.0
    llm_scores: dict[str, float] = field(default_factory=dict)

    @property
    def overloaded(self) -> bool:
        return self.fallback is Fallback.OVERLOADED


class RerankStage:
    """Model rerankers share one worker (the model is one resource) behind a bounded
    queue; the others run on a small pool. Both are bounded by the request budget."""

    def __init__(self, settings: Settings, calllog: CallLog | None = None, model_id: str | None = None) -> None:
        self.settings, self.calllog, self.model_id = settings, calllog, model_id
        self._model_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")
        self._cpu_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rerank")
        self._pending = 0
        self._pending_lock = threading.Lock()

    @property
    def queue_depth(self) -> int:
        return self._pending

    def _call(self, reranker: Reranker, context: RerankContext, candidates: list[Candidate],
              budget: float, counted: bool) -> RerankResult:
        try:
            return reranker.rerank(context, candidates, budget_s=budget)
        except Exception as e:  # a reranker bug must never become a 500: log it, serve the input order
            log.exception("reranker %s failed", reranker.name)
            return fallback(candidates, f"reranker {reranker.name} failed: {type(e).__name__}: {e}")
        finally:
            if counted:
                with self._pending_lock:
                    self._pending -= 1

    def run(self, reranker: Reranker, context: RerankContext, candidates: list[Candidate]) -> StageResult:
        base = dict(ranker=reranker.name, version=reranker.version,
                    model=self.model_id if reranker.needs_model else None)
        if len(candidates) < 2 and reranker.name != "identity":
            return StageResult(list(candidates), False, "fewer than two candidates", Fallback.TOO_FEW, **base)
        t0 = time.perf_counter()
        budget = self.settings.llm.budget_ms / 1000
        wait = budget
        if reranker.needs_model:
            with self._pending_lock:
                if self._pending >= self.settings.llm.max_queue:
                    return StageResult(list(candidates), False,
                                       f"overloaded: {self._pending} requests waiting for the model",
                                       Fallback.OVERLOADED, **base)
                self._pending += 1
            future = self._model_pool.submit(self._call, reranker, context, candidates, budget, True)
            wait += self.settings.llm.queue_timeout_ms / 1000
        else:
            future = self._cpu_pool.submit(self._call, reranker, context, candidates, budget, False)
        try:
            res = future.result(timeout=wait)
        except FutureTimeout:
            if future.cancel() and reranker.needs_model:  # never started: it will not decrement itself
                with self._pending_lock:
                    self._pending -= 1
            ms = (time.perf_counter() - t0) * 1000
            return StageResult(list(candidates), False, f"timeout after {ms:.0f} ms", Fallback.TIMEOUT,
                               llm_ms=ms if reranker.needs_model else 0.0, rerank_ms=ms, **base)
        ms = (time.perf_counter() - t0) * 1000
        res = permutation_or_fallback(candidates, res)
        self._log(res, context.user_id)
        out = StageResult(res.candidates, res.reranked, res.fallback_reason,
                          res.fallback if not res.reranked else None,
                          prompt_version=res.prompt_version, llm_ms=ms if reranker.needs_model else 0.0,
                          rerank_ms=ms, llm_scores=res.llm_scores, **base)
        if not res.reranked and out.fallback is None:
            out.fallback = Fallback.ERROR
        return out

    def _log(self, res: RerankResult, user_id: str | None) -> None:
        if self.calllog is None or not res.prompts:
            return
        self.calllog.record("score", res.prompt_version or "", res.prompts[0], res.llm_scores or {},
                            model=self.model_id, user_id=user_id, latency_ms=round(res.latency_ms, 1),
                            tokens=res.tokens, fallback=res.fallback_reason)
