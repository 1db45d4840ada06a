"""What reading ratings as feedback does to the fused candidates, on the eval's own
leave-last-out split (same users and seed as `python -m service eval`).

Variants (each rebuilds the CF index from the same store):
- `all_positive`: every rating counts as a positive (the behaviour before event types
  had a meaning; `rating_threshold` below every rating);
- `negatives_no_demote`: ratings below the threshold are negatives (out of the profile,
  the matrices and the person's answers), nothing demoted;
- `demote=X`: and the negatives' CF/embedding neighbours lose up to X of their score;
- `cf_from_all_ratings`: the item-item matrices built from every rating (as
  `all_positive`), the profile and the exclusions by the threshold (the default demote):
  how much of the change comes from the matrices losing the low ratings.

Metrics are split by what the held-out event was: a rating at or above the threshold
(something the person wanted next) or below it (something they did not like).

    RECS_DATA_DIR=/tmp/fbabl python scripts/eval_feedback.py --path data/demo/ml-latest-small --json out.json
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from service.candidates.index import CandidateIndex
from service.eval import ranking_metrics
from service.eval.harness import prepare
from service.pipeline import Recommender
from service.settings import FeedbackSettings, Settings
from service.types import CandidateRequest

DEPTH = 100


def target_ratings(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(user, item) -> (timestamp, rating) of the latest rating."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    with open(path / "ratings.csv", newline="") as f:
        for row in csv.DictReader(f):
            key, val = (row["userId"], row["movieId"]), (float(row["timestamp"]), float(row["rating"]))
            if key not in out or val[0] >= out[key][0]:
                out[key] = val
    return out


def run(rec: Recommender, held, wanted: dict[str, bool]) -> dict:
    per = {"all": [], "wanted": [], "not_wanted": []}
    for h in held:
        fused = rec.candidates(CandidateRequest(user_id=h.user_id, k=DEPTH), DEPTH).candidates
        ranked = [c.item_id for c in fused]
        m = (ranking_metrics.ndcg(ranked, h.target, 10), ranking_metrics.recall(ranked, h.target, 20),
             ranking_metrics.recall(ranked, h.target, 100))
        per["all"].append(m)
        per["wanted" if wanted[h.user_id] else "not_wanted"].append(m)
    return {k: {"users": len(v), **{name: float(np.mean([m[i] for m in v])) if v else 0.0
                                    for i, name in enumerate(("ndcg@10", "recall@20", "recall@100"))}}
            for k, v in per.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--path", type=Path, required=True)
    ap.add_argument("--users", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--demote", type=float, nargs="*", default=[0.25, 0.5, 1.0])
    ap.add_argument("--floor", type=float, nargs="*", default=None,
                    help="embedding cosine floors to try with each demote (default: the configured one)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    base = Settings()
    prep = prepare("movielens-csv", args.path, base.data_dir, args.users, args.seed, base)
    threshold = base.feedback.types["rating"].threshold
    ratings = target_ratings(args.path)
    wanted = {h.user_id: ratings[(h.user_id, h.target)][1] >= threshold for h in prep.held}
    variants = {"all_positive": {"rating_threshold": -1e9, "demote": 0.0},
                "cf_from_all_ratings": {},  # matrices as all_positive; profile and exclusions by threshold
                "negatives_no_demote": {"demote": 0.0},
                **{f"demote={d:g}" + (f",floor={f:g}" if f is not None else ""):
                   {"demote": d, **({"demote_semantic_floor": f} if f is not None else {})}
                   for d in args.demote for f in (args.floor or [None])}}
    first = None
    out = {}
    for name, kw in variants.items():
        s = prep.settings.model_copy(update={"feedback": FeedbackSettings(**kw)})
        if first is None:
            first = Recommender(s)
            first.build_index()  # embeds the catalog once; each variant reuses its vectors
        rec = Recommender(s, store=first.store, embedder=first.embedder)
        built_with = prep.settings.model_copy(update={"feedback": FeedbackSettings(rating_threshold=-1e9)}) \
            if name == "cf_from_all_ratings" else s
        index = CandidateIndex.build(first.store, built_with)
        index.vectors, index.embedder = first.index.vectors, first.embedder.name
        rec.indexes.install(index)
        out[name] = run(rec, prep.held, wanted)
        r = out[name]
        print(f"{name:28s} " + "  ".join(
            f"{k} ({r[k]['users']}): ndcg@10 {r[k]['ndcg@10']:.4f} r@20 {r[k]['recall@20']:.3f}"
            f" r@100 {r[k]['recall@100']:.3f}" for k in ("all", "wanted", "not_wanted")), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"variants": out, "users": len(prep.held), "seed": args.seed,
                                         "threshold": threshold}, indent=2))


if __name__ == "__main__":
    main()
