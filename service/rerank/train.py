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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from service.eval.split import HeldOut, leave_last_out, user_sequences
from service.rerank.blend import Blend, choose_blend, features
from service.rerank.listwise import LetterLogitReranker
from service.rerank.stage import blend_path
from service.settings import Settings
from service.store import Store
from service.types import CandidateRequest


@dataclass
class Scored:
    held: HeldOut
    features_raw: np.ndarray  # per candidate, LLM column = raw position log-probs
    target_idx: int
    lp: np.ndarray


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
        cfg = settings.llm
        rows: list[tuple] = []
        for n, h in enumerate(held, start=1):
            cand = rec.candidates(CandidateRequest(user_id=h.user_id), cfg.candidates).candidates
            ids = [c.item_id for c in cand]
            if len(ids) < 2:
                continue
            items = rec.store.get_items(ids + h.history[-cfg.history_items:])
            history = [items[i] for i in h.history[-cfg.history_items:] if i in items]
            lp = rr.position_logprobs(history, [items[i] for i in ids])
            rows.append((cand, ids, lp, ids.index(h.target) if h.target in ids else -1, rec.popularity(ids)))
            if progress:
                progress(n, len(held))
        full = [r[2] for r in rows if len(r[2]) == cfg.candidates]
        calibration = np.mean(full, axis=0) if full else np.zeros(cfg.candidates)
        groups = []
        for cand, ids, lp, target, pop in rows:
            adj = lp - calibration[: len(lp)]
            groups.append((features(cand, pop, dict(zip(ids, adj))), target))
        blend = choose_blend(groups, use_llm=True)
        ablation = choose_blend(groups, use_llm=False)
        blend.meta.update({
            "calibration": [float(x) for x in calibration],
            "model": backend.model_id, "prompt": rec.rerank.prompt.ref,
            "users": len(rows), "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "ablation_no_llm_ndcg@10": ablation.meta.get("validation_ndcg@10"),
        })
        path = blend_path(settings, backend.model_id, rec.rerank.prompt)
        blend.save(path)
        return blend, path
