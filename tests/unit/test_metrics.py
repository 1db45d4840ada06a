import math

from service.eval import ranking_metrics
from service.eval.split import leave_last_out, user_sequences


def test_ndcg_by_position_matches_hand_values():
    ranked = ["a", "b", "c", "d"]
    assert ranking_metrics.ndcg(ranked, "a", 10) == 1.0
    assert ranking_metrics.ndcg(ranked, "b", 10) == 1 / math.log2(3)
    assert math.isclose(ranking_metrics.ndcg(ranked, "d", 10), 1 / math.log2(5))
    assert ranking_metrics.ndcg(ranked, "d", 3) == 0.0
    assert ranking_metrics.ndcg(ranked, "zz", 10) == 0.0


def test_recall_hit_rate_and_mrr():
    ranked = ["a", "b", "c"]
    assert ranking_metrics.recall(ranked, "c", 2) == 0.0
    assert ranking_metrics.recall(ranked, "c", 3) == 1.0
    assert ranking_metrics.hit_rate(ranked, "b", 1) == 0.0
    assert ranking_metrics.mrr(ranked, "c", 10) == 1 / 3


def test_leave_last_out_orders_by_time_then_item_id():
    events = [("u", "b", "view", None, 5.0), ("u", "a", "view", None, 5.0), ("u", "c", "view", None, 1.0),
              ("solo", "x", "view", None, 1.0)]
    held = leave_last_out(user_sequences(events))
    assert len(held) == 1  # a user with one event has nothing to learn from
    assert held[0].history == ["c", "a"] and held[0].target == "b"
