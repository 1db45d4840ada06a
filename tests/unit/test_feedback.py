"""What events mean (service/feedback.py) and what a negative does to candidates
(service/candidates/negatives.py): known answers on pure functions."""

from types import SimpleNamespace as E

import numpy as np
import pytest
import scipy.sparse as sp
from pydantic import ValidationError

from service.candidates.negatives import closeness, turn_down
from service.candidates.space import ItemSpace
from service.errors import InvalidInput
from service.feedback import Feedback, Kind
from service.settings import FeedbackSettings, FeedbackType
from service.types import Candidate, Event, Item


def fb(**kw) -> Feedback:
    """Low ratings as negatives (rating_threshold 3.5), unless a test says otherwise."""
    return Feedback(FeedbackSettings(**{"rating_threshold": 3.5, **kw}))


def test_default_types_mean_what_the_issue_asks():
    f = fb()
    for t, w in (("view", 1), ("click", 1), ("play", 1), ("add_to_cart", 2), ("purchase", 3), ("like", 3)):
        assert f.signal(t, None).kind is Kind.POSITIVE and f.signal(t, None).weight == w
    for t in ("dislike", "skip", "hide", "return"):
        assert f.signal(t, None).kind is Kind.NEGATIVE
    assert f.signal("impression", None).kind is Kind.NEUTRAL


@pytest.mark.parametrize("value,kind", [(0.5, Kind.NEGATIVE), (1.0, Kind.NEGATIVE), (3.0, Kind.NEGATIVE),
                                        (3.49, Kind.NEGATIVE), (3.5, Kind.POSITIVE), (5.0, Kind.POSITIVE),
                                        (None, Kind.NEGATIVE)])
def test_ratings_below_the_threshold_are_negatives(value, kind):
    assert fb().signal("rating", value).kind is kind


def test_by_default_every_rating_is_a_positive():
    default = Feedback(FeedbackSettings())
    assert all(default.signal("rating", v).kind is Kind.POSITIVE for v in (0.5, 1.0, 3.0, 5.0))


def test_the_rating_threshold_is_configurable():
    assert fb(rating_threshold=7).signal("rating", 6.5).kind is Kind.NEGATIVE
    assert fb(rating_threshold=7).signal("rating", 7).kind is Kind.POSITIVE


def test_an_unknown_type_is_refused_naming_the_known_ones_or_read_as_the_default():
    with pytest.raises(InvalidInput) as e:
        fb().resolve("thumbs_down")
    assert "'thumbs_down'" in str(e.value) and "dislike" in str(e.value) and "impression" in str(e.value)
    f = fb(unknown="impression")
    assert f.resolve("thumbs_down") == "impression"
    ev = Event(user_id="u", item_id="a", type="thumbs_down", timestamp=1)
    assert f.resolve_events([ev])[0].type == "impression"
    assert fb().signal("thumbs_down", None).kind is Kind.NEUTRAL  # stored before the table changed


def test_settings_reject_an_unknown_default_and_a_threshold_on_the_wrong_kind():
    with pytest.raises(ValidationError):
        FeedbackSettings(unknown="nope")
    with pytest.raises(ValidationError):
        FeedbackSettings(types={"star": FeedbackType(kind="rating")})
    with pytest.raises(ValidationError):
        FeedbackSettings(types={"view": FeedbackType(kind="positive", threshold=3)})


def test_the_latest_signal_on_an_item_wins_and_neutrals_count_nowhere():
    entries = [E(item_id="a", type="view", value=None, timestamp=1),
               E(item_id="b", type="view", value=None, timestamp=2),
               E(item_id="a", type="dislike", value=None, timestamp=3),  # viewed, then turned down
               E(item_id="c", type="skip", value=None, timestamp=4),
               E(item_id="c", type="purchase", value=None, timestamp=5),  # skipped, then bought
               E(item_id="d", type="impression", value=None, timestamp=6),
               E(item_id="e", type="rating", value=1.0, timestamp=7)]
    s = fb().split(entries)
    assert s.positives == ["b", "c"] and s.weights == [1.0, 3.0]
    assert s.negatives == ["a", "e"] and s.latest_at == 7


def test_positive_rows_keep_each_users_positives_in_order():
    rows = [("u", "a", "view", None, 1), ("u", "b", "rating", 2.0, 2), ("u", "a", "hide", None, 3),
            ("u", "c", "impression", None, 4), ("u", "d", "rating", 4.0, 5),
            ("v", "a", "like", None, 1), ("v", "b", "view", None, 2)]
    assert [(r[0], r[1]) for r in fb().positive_rows(rows)] == [("u", "d"), ("v", "a"), ("v", "b")]


def test_counted_types_leave_out_exposures_unless_unknown_types_count():
    assert "impression" not in fb().counted_types() and {"view", "rating", "dislike"} <= fb().counted_types()
    assert fb(unknown="view").counted_types() is None


def test_describe_says_what_each_type_means():
    by = {t["type"]: t for t in fb().describe()}
    assert by["rating"]["kind"] == "rating" and by["rating"]["threshold"] == 3.5
    assert by["purchase"]["weight"] == 3 and by["dislike"]["weight"] is None
    assert "never recommended" in by["skip"]["meaning"] and "counted nowhere" in by["impression"]["meaning"]


def _space(n: int) -> ItemSpace:
    return ItemSpace(Item(item_id=f"i{k}", title=f"I{k}") for k in range(n))


def test_closeness_is_the_nearest_negative_by_cf_or_by_embedding_above_the_floor():
    space = _space(4)
    sim = sp.csr_matrix(np.array([[0, 0.8, 0.1, 0], [0.8, 0, 0, 0], [0.1, 0, 0, 0], [0, 0, 0, 0]], np.float32))
    vecs = np.eye(4, dtype=np.float32)
    vecs[3] = [0.9, 0, 0, np.sqrt(1 - 0.81)]  # cosine 0.9 with i0
    close = closeness(space, sim, vecs, ["i0"], ["i1", "i2", "i3", "gone"], floor=0.6)
    assert close == pytest.approx([0.8, 0.1, 0.75, 0.0])
    assert not closeness(space, sim, None, [], ["i1"], 0.6).any()


def test_turn_down_drops_negatives_and_never_raises_a_score():
    cands = [Candidate(item_id=i, score=s) for i, s in (("i0", 1.0), ("i1", 0.9), ("i2", 0.5))]
    out = turn_down(cands, {"i0"}, np.array([1.0, 1.0, 0.0]), strength=0.5)
    assert [(c.item_id, c.score) for c in out] == [("i2", 0.5), ("i1", 0.45)]


def test_training_targets_are_each_users_latest_positive():
    from service.eval.split import holdout_latest_positive

    events = [("u", "a", "view", None, 1), ("u", "b", "purchase", None, 2), ("u", "c", "dislike", None, 3),
              ("u", "d", "impression", None, 4), ("v", "a", "view", None, 1), ("v", "b", "rating", 1.0, 2)]
    kept, held = holdout_latest_positive(events, list(fb().positive_rows(events)))
    assert [(h.user_id, h.history, h.target) for h in held] == [("u", ["a"], "b")]  # v: one positive, no history
    assert kept == [events[0], *events[4:]]  # u's target and what came after it are out


def test_a_reason_names_as_enjoyed_only_what_was_rated_well():
    """Ratings are positives by default (rating_threshold 0), so a 1-star film is in the
    profile; 'which you enjoyed' may name only films rated at least liked_min_rating."""
    f = Feedback(FeedbackSettings())
    entries = [E(item_id="loved", type="rating", value=5.0, timestamp=1),
               E(item_id="hated", type="rating", value=1.0, timestamp=2),
               E(item_id="watched", type="view", value=None, timestamp=3),
               E(item_id="rerated", type="rating", value=2.0, timestamp=4),
               E(item_id="rerated", type="rating", value=4.0, timestamp=5)]  # the latest rating counts
    assert f.split(entries).positives == ["loved", "hated", "watched", "rerated", "rerated"]
    assert f.liked(entries, 3.5) == ["loved", "watched", "rerated", "rerated"]
