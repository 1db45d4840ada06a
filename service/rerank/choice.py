"""Which reranker answers a request, and why.

Never worse than the candidate order by default: until something fitted on this
catalog has beaten the candidate order on held-out users, requests are answered in
candidate order with no LLM pass (zero-shot label scores were measured harmful on
MovieLens and goodbooks; `RECS_LLM__ZERO_SHOT=true` turns them back on). Then:
- history requests: the adapted reranker (`CURRENT` artifact), reloaded when the
  trainer switches it;
- text requests (and history requests with no adapted reranker): the fitted blend, which
  calls the LLM only if it gives it weight.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.llm.base import LLMBackend
from service.prompts import PromptFile, load_prompt
from service.rerank.adapted import AdaptedModel, AdaptedReranker, FeatureFn, load_current
from service.rerank.base import Fallback, IdentityReranker, Reranker
from service.rerank.blend import BLEND_BASE_FEATURES, BLEND_LLM_FEATURES, Blend
from service.rerank.item_features import ItemFeatureCache, cache_path
from service.rerank.listwise import LetterLogitReranker
from service.rerank.blend_reranker import BlendReranker
from service.settings import Settings

log = logging.getLogger(__name__)


def prior_blend() -> Blend:
    """The candidate order with the LLM as a tie-breaker (zero-shot mode only)."""
    w = [0.0] * len(BLEND_BASE_FEATURES + BLEND_LLM_FEATURES)
    w[0], w[-1] = 1.0, 0.1
    return Blend(w, 0.0, meta={"kind": "prior", "reason": "no fitted blend for this model and prompt"})


def blend_path(settings: Settings, model_id: str, prompt: PromptFile) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)
    return settings.artifacts_dir / f"blend-{slug}-{prompt.name}-v{prompt.version}.json"


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


@dataclass
class Choice:
    reranker: Reranker
    note: str  # why this one (and not the adapted reranker), for `reranker_version`


class RerankerSet:
    """Holds the fitted artifacts (reloaded when their files change) and chooses."""

    def __init__(self, settings: Settings, backend: LLMBackend | None, feature_fn: FeatureFn) -> None:
        self.settings, self.backend, self.feature_fn = settings, backend, feature_fn
        self.prompt = load_prompt(settings.llm.rank_prompt)
        self.model_id = backend.model_id if backend else None
        self._blend_stamp: float | None = None
        self._adapted_stamp: float | None = None
        self.blend: Blend | None = None
        self.adapted: AdaptedReranker | None = None
        self.adapted_status = "no adapted reranker trained"
        self.item_features: ItemFeatureCache | None = None
        self.reload()

    # -- artifacts ----------------------------------------------------------------------
    @property
    def adapted_root(self) -> Path:
        return self.settings.artifacts_dir / "adapted"

    def reload(self) -> None:
        """Pick up artifacts the trainer wrote since the last call (cheap: two stats)."""
        if self.backend is not None:
            path = blend_path(self.settings, self.backend.model_id, self.prompt)
            stamp = _mtime(path)
            if stamp != self._blend_stamp:
                self._blend_stamp, self.blend = stamp, self._load_blend(path) if stamp else None
        if self.item_features is not None:
            self.item_features.reload_if_changed()
        stamp = _mtime(self.adapted_root / "CURRENT")
        if stamp == self._adapted_stamp:
            return
        self._adapted_stamp = stamp
        ranker, status = load_current(self.adapted_root)
        if ranker is not None and ranker.uses_llm:
            self.item_features = ItemFeatureCache(cache_path(self.settings.artifacts_dir, ranker.meta.get("model")),
                                                  backend=None)
        self.adapted = AdaptedReranker(ranker, self.feature_fn) if ranker is not None else None
        self.adapted_status = status

    @staticmethod
    def _load_blend(path: Path) -> Blend | None:
        try:
            return Blend.load(path)
        except (ValueError, KeyError, OSError) as e:
            log.warning("blend artifact %s is unreadable (%s); not using it", path, e)
            return None

    def scorer(self, calibration=None) -> LetterLogitReranker:
        cfg = self.settings.llm
        return LetterLogitReranker(self.backend, self.prompt, orders=cfg.orders, calibration=calibration,
                                   history_items=cfg.history_items, text_chars=cfg.text_chars)

    def adapted_model(self) -> AdaptedModel | None:
        return self.adapted.ranker if self.adapted else None

    # -- choosing -------------------------------------------------------------------------
    def choose(self, is_text: bool, use_llm: bool) -> Choice:
        self.reload()
        if self.adapted is not None and not is_text:
            return Choice(self.adapted, "")
        note = ("text requests are ordered by the blend; the adapted reranker learned next items"
                if self.adapted is not None else self.adapted_status)
        if self.blend is not None:
            wants_llm = abs(self.blend.llm_weight) > 1e-9
            if wants_llm and not use_llm:
                return Choice(IdentityReranker(reason="llm not requested", kind=Fallback.NOT_REQUESTED), note)
            if self.blend.meta.get("kind") == "identity":
                reason = self.blend.meta.get("reason", "the fitted blend is the candidate order")
                return Choice(IdentityReranker(reason=f"fitted blend: {reason}", kind=Fallback.ZERO_WEIGHT), note)
            cal = self.blend.meta.get("calibration")
            return Choice(BlendReranker(self.blend, self.scorer(np.asarray(cal) if cal else None)), note)
        if not use_llm:
            return Choice(IdentityReranker(reason="llm not requested", kind=Fallback.NOT_REQUESTED), note)
        if self.backend is None:
            return Choice(IdentityReranker(reason="no LLM configured", kind=Fallback.NO_MODEL), note)
        if self.settings.llm.zero_shot:
            return Choice(BlendReranker(prior_blend(), self.scorer()), note)
        return Choice(IdentityReranker(
            reason="nothing fitted on this catalog beats the candidate order yet; serving it",
            kind=Fallback.NOT_TRAINED), note)
