"""Fit the blend (and the LLM's position calibration) on the service's own data.

Each sampled user's latest event is held out; the candidate index is rebuilt without
those events in a scratch data dir, so candidate features carry no trace of the answer.
The artifact is written where the service loads it (per model and prompt version) and
the serving process picks it up with `RerankStage.set_blend` or at the next start.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from service.eval.runner import score_users
from service.eval.split import HeldOut, leave_last_out, user_sequences
from service.rerank.blend import Blend, calibrated_features, choose_serving_blend, position_calibration
from service.rerank.listwise import LetterLogitReranker
from service.rerank.stage import blend_path
from service.settings import Settings
from service.store import Store


def split_store(store: Store, workdir: Path, settings: Settings) -> tuple[Settings, list[HeldOut]]:
    """A scratch copy of the store without each user's latest event."""
    events = list(store.iter_events())
    seqs = user_sequences(events)
    held = leave_last_out(seqs)
    last = {h.user_id: h.target for h in held}
    latest_ts: dict[str, float] = {}
    for user, item, _t, _v, ts in events:
        if last.get(user) == item:
            latest_ts[user] = max(latest_ts.get(user, -1e300), ts)
    scratch = settings.model_copy(update={"data_dir": workdir})
    s2 = Store(scratch.db_path)
    s2.upsert_items(store.iter_items())
    from service.types import Event

    s2.add_events(Event(user_id=u, item_id=i, type=t, value=v, timestamp=ts)
                  for u, i, t, v, ts in events
                  if not (last.get(u) == i and latest_ts.get(u) == ts))
    s2.close()
    return scratch, held


def train_blend(settings: Settings, store: Store, backend, users: int = 200, seed: int = 0,
                progress: Callable[[int, int], None] | None = None) -> tuple[Blend, Path]:
    from service.pipeline import Recommender

    with tempfile.TemporaryDirectory() as tmp:
        scratch, held = split_store(store, Path(tmp), settings)
        held = random.Random(seed).sample(held, min(users, len(held)))
        rec = Recommender(scratch, backend=backend)
        rec.build_index()
        rr = rec.rerank.reranker
        if not isinstance(rr, LetterLogitReranker):
            raise ValueError("train-blend needs an LLM backend")
        name = rr.prompt.name
        scored = score_users(rec, held, settings.llm.candidates, {name: rr},
                             progress=(lambda n: progress(n, len(held))) if progress else None)
        rows = [r for r in scored if name in r.lp]
        calibration = position_calibration([r.lp[name] for r in rows], settings.llm.candidates)
        groups = [(calibrated_features(r.cand, r.pop, r.lp[name], calibration), r.target_idx) for r in rows]
        blend, _ablation = choose_serving_blend(groups)
        blend.meta.update({
            "calibration": [float(x) for x in calibration],
            "model": backend.model_id, "prompt": rec.rerank.prompt.ref,
            "users": len(rows), "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        })
        path = blend_path(settings, backend.model_id, rec.rerank.prompt)
        blend.save(path)
        return blend, path
