"""`train-reranker`: fit the adapted reranker on the store's own events, by time.

Two kinds of scratch copies of the store are built, so no example's features carry a
trace of its own answer:
- fit splits: each user's latest k+1 events removed; the (k+1)-th latest is the target;
- validation split: the latest event removed; it is the target.
Both the model with LLM features and the same model without them (the ablation) are
fitted on the fit splits and compared on the validation split with the candidate order.
The LLM columns are kept only if they beat the ablation there; the chosen variant is
refitted on all splits and written as a versioned artifact.

Steps: `examples.py` (data) -> `fit.py` (fit and compare) -> `guard.py` (what may be
served) -> `train.py` (the run, and saving the artifact).
"""

from service.train.fit_adapted.examples import Group, build_examples, build_groups, choose_fusion, pools
from service.train.fit_adapted.fit import make_classifier
from service.train.fit_adapted.guard import CONFIDENCE, confidence, per_group_ndcg
from service.train.fit_adapted.options import TrainOptions, TrainReport
from service.train.fit_adapted.train import Trained, train_and_save, train_reranker

__all__ = ["CONFIDENCE", "Group", "TrainOptions", "TrainReport", "Trained", "build_examples", "build_groups",
           "choose_fusion", "confidence", "make_classifier", "per_group_ndcg", "pools", "train_and_save",
           "train_reranker"]
