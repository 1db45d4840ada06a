"""Fit the blend (and the LLM's position calibration) on the service's own data.

Each sampled user's latest event is held out; the candidate index is rebuilt without
those events in a scratch data dir, so candidate features carry no trace of the answer.
The artifact is written where the service loads it (per model and prompt version) and
a serving process picks it up on its next request (the file's mtime changes).
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from service.eval.runner import score_users
from service.rerank.blend import Blend, calibrated_features, choose_serving_blend, position_calibration
from service.rerank.choice import blend_path
from service.settings import Settings
from service.store import Store
from service.train.scratch_store import split_store


def train_blend(settings: Settings, store: Store, backend, users: int = 200, seed: int = 0,
                progress: Callable[[int, int], None] | None = None) -> tuple[Blend, Path]:
    from service.pipeline import Recommender

    with tempfile.TemporaryDirectory() as tmp:
        scratch, held = split_store(store, Path(tmp), settings)
        held = random.Random(seed).sample(held, min(users, len(held)))
        if backend is None:
            raise ValueError("train-blend needs an LLM backend")
        rec = Recommender(scratch.model_copy(update={"calllog_enabled": False}), backend=backend)
        rec.build_index()
        rr = rec.rankers.scorer()
        name = rr.prompt.name
        scored = score_users(rec, held, settings.llm.candidates, {name: rr},
                             progress=(lambda n: progress(n, len(held))) if progress else None)
        rows = [r for r in scored if name in r.lp]
        calibration = position_calibration([r.lp[name] for r in rows], settings.llm.candidates)
        groups = [(calibrated_features(r.cand, r.pop, r.lp[name], calibration), r.target_idx) for r in rows]
        blend, _ablation = choose_serving_blend(groups)
        blend.meta.update({
            "calibration": [float(x) for x in calibration],
            "model": backend.model_id, "prompt": rec.prompt.ref,
            "users": len(rows), "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        })
        path = blend_path(settings, backend.model_id, rec.prompt)
        blend.save(path)
        return blend, path
