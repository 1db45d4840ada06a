"""Peer recommenders for `scripts/bench_peers.py`, each trained on the events the project's eval
keeps and asked for the full-catalog top k of each held-out user, seen items excluded.

popularity and the `implicit` models (item-kNN, ALS, BPR) need `pip install implicit`;
SASRec needs RecBole and torch (`pip install -e ".[peers]"`). None of them is needed to
serve or to run the tests.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse


@dataclass
class Interactions:
    """The kept events as ids: users and items in first-seen order, each user's items in
    time order (repeats kept: sequence models see them)."""

    users: list[str]
    items: list[str]
    sequences: dict[str, list[str]]
    timestamps: dict[str, list[float]]

    @classmethod
    def from_rows(cls, kept: list[tuple]) -> Interactions:
        per_user: dict[str, list[tuple[float, str]]] = {}
        for user, item, _t, _v, ts in kept:
            per_user.setdefault(user, []).append((ts, item))
        seqs, times, items = {}, {}, {}
        for user, evts in per_user.items():
            evts.sort()
            seqs[user] = [i for _, i in evts]
            times[user] = [t for t, _ in evts]
            for i in seqs[user]:
                items.setdefault(i, None)
        return cls(list(per_user), list(items), seqs, times)

    def matrix(self) -> sparse.csr_matrix:
        """Binary user x item matrix."""
        col = {i: n for n, i in enumerate(self.items)}
        rows, cols = [], []
        for r, user in enumerate(self.users):
            for c in {col[i] for i in self.sequences[user]}:
                rows.append(r)
                cols.append(c)
        return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                 shape=(len(self.users), len(self.items)))


def popularity(data: Interactions, users: list[str], k: int) -> dict[str, list[str]]:
    counts = Counter(i for seq in data.sequences.values() for i in set(seq))
    order = sorted(counts, key=lambda i: (-counts[i], i))
    out = {}
    for u in users:
        seen = set(data.sequences.get(u, ()))
        out[u] = [i for i in order if i not in seen][:k]
    return out


def implicit_model(name: str, seed: int):
    from implicit.bpr import BayesianPersonalizedRanking
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import CosineRecommender

    if name == "item-knn":
        return CosineRecommender(K=100)
    if name == "als":
        return AlternatingLeastSquares(factors=64, regularization=0.05, iterations=20, random_state=seed)
    if name == "bpr":
        return BayesianPersonalizedRanking(factors=64, learning_rate=0.01, regularization=0.01,
                                           iterations=100, random_state=seed)
    raise ValueError(name)


def implicit_rank(name: str, data: Interactions, users: list[str], k: int, seed: int) -> dict[str, list[str]]:
    """`implicit`'s item-kNN (cosine, 100 neighbours), ALS and BPR (64 factors) with their
    usual settings, on the binary matrix; `recommend` drops seen items."""
    m = data.matrix()
    model = implicit_model(name, seed)
    model.fit(m, show_progress=False)
    row = {u: n for n, u in enumerate(data.users)}
    known = [u for u in users if u in row]
    ids = np.array([row[u] for u in known])
    out = {u: [] for u in users}
    for start in range(0, len(ids), 512):
        part = ids[start:start + 512]
        recs, _scores = model.recommend(part, m[part], N=k, filter_already_liked_items=True)
        for u, r in zip(known[start:start + 512], recs):
            out[u] = [data.items[j] for j in r if j >= 0]
    return out


@dataclass
class SasrecRun:
    lists: dict[str, list[str]]
    seconds: float
    epochs: int
    best_valid: float


class _Budget(Exception):
    pass


def sasrec_rank(data: Interactions, users: list[str], k: int, seed: int, epochs: int = 200,
                stopping_step: int = 10, max_len: int = 50, minutes: float = 60.0, batch: int = 2048,
                log=functools.partial(print, flush=True)) -> SasrecRun:
    """RecBole's SASRec with its published defaults (2 layers, 2 heads, 64 dims, CE loss
    over all items), trained on the kept events with each user's last kept item as the
    early-stopping validation (early stopping after `stopping_step` epochs without gain,
    or when `minutes` have passed: the best epoch's weights are used either way); then
    each held-out user's whole kept history (the last `max_len` items) is the input
    sequence, and seen items are excluded from its ranking."""
    import torch
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.data.interaction import Interaction
    from recbole.model.sequential_recommender import SASRec
    from recbole.trainer import Trainer
    from recbole.utils import init_seed

    # RecBole 1.2 aliases names NumPy 2 removed (np.float_ ...); give it them back
    for old, new in (("float_", np.float64), ("complex_", np.complex128), ("unicode_", np.str_)):
        if old not in np.__dict__:
            setattr(np, old, new)
    tmp = Path(tempfile.mkdtemp(prefix="sasrec-"))
    (tmp / "peers").mkdir()
    with open(tmp / "peers" / "peers.inter", "w") as f:
        f.write("user_id:token\titem_id:token\ttimestamp:float\n")
        for user in data.users:
            for item, ts in zip(data.sequences[user], data.timestamps[user]):
                f.write(f"{user}\t{item}\t{ts}\n")
    config = Config(model="SASRec", dataset="peers", config_dict={
        "data_path": str(tmp), "checkpoint_dir": str(tmp / "saved"), "device": "cpu", "use_gpu": False,
        "seed": seed, "reproducibility": True, "show_progress": False, "log_wandb": False,
        "USER_ID_FIELD": "user_id", "ITEM_ID_FIELD": "item_id", "TIME_FIELD": "timestamp",
        "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "MAX_ITEM_LIST_LENGTH": max_len, "train_neg_sample_args": None, "loss_type": "CE",
        "eval_args": {"split": {"LS": "valid_only"}, "order": "TO", "mode": "full", "group_by": "user"},
        "metrics": ["NDCG"], "topk": [10], "valid_metric": "NDCG@10",
        "epochs": epochs, "stopping_step": stopping_step, "eval_step": 1, "train_batch_size": batch,
    })
    init_seed(config["seed"], config["reproducibility"])
    cwd = os.getcwd()
    os.chdir(tmp)  # RecBole writes its log folders into the working directory
    dataset = create_dataset(config)
    train, valid, _test = data_preparation(config, dataset)
    model = SASRec(config, train.dataset).to("cpu")
    trainer = Trainer(config, model)
    t0 = time.perf_counter()
    epochs_run: list[float] = []

    def after_epoch(epoch: int, score: float) -> None:
        epochs_run.append(score)
        log(f"  SASRec epoch {epoch}: valid NDCG@10 {score:.4f} ({time.perf_counter() - t0:.0f} s)")
        if time.perf_counter() - t0 > minutes * 60:
            raise _Budget

    try:
        trainer.fit(train, valid, saved=True, show_progress=False, callback_fn=after_epoch)
    except _Budget:
        log(f"  SASRec: stopped at the {minutes:g}-minute budget")
    finally:
        os.chdir(cwd)
    seconds = time.perf_counter() - t0
    state = torch.load(trainer.saved_model_file, map_location="cpu", weights_only=False)
    model.load_state_dict(state["state_dict"])
    model.eval()

    token = dataset.field2token_id["item_id"]
    id2item = dataset.field2id_token["item_id"]
    out: dict[str, list[str]] = {u: [] for u in users}
    known = [u for u in users if data.sequences.get(u)]
    with torch.no_grad():
        for start in range(0, len(known), 256):
            part = known[start:start + 256]
            seqs = [[token[i] for i in data.sequences[u] if i in token][-max_len:] for u in part]
            lens = torch.tensor([max(len(s), 1) for s in seqs])
            mat = torch.zeros((len(part), max_len), dtype=torch.long)
            for r, s in enumerate(seqs):
                mat[r, : len(s)] = torch.tensor(s, dtype=torch.long)
            scores = model.full_sort_predict(Interaction({"item_id_list": mat, "item_length": lens}))
            scores = scores.view(len(part), -1)
            scores[:, 0] = -np.inf  # padding
            for r, u in enumerate(part):
                seen = [token[i] for i in set(data.sequences[u]) if i in token]
                scores[r, seen] = -np.inf
            top = torch.topk(scores, k, dim=1).indices.numpy()
            for r, u in enumerate(part):
                out[u] = [str(id2item[j]) for j in top[r]]
    return SasrecRun(out, seconds, len(epochs_run), max(epochs_run, default=0.0))
