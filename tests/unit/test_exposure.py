"""Exposure's pure parts: which items cool down (known answers) and answer ids."""

import pytest

from service.errors import InvalidInput
from service.exposure import ExposureLog, Page, cooling
from service.feedback import Feedback
from service.settings import ExposureSettings, FeedbackSettings
from service.store import Exposure, SqliteStore
from service.types import Event

DAY = 86400.0


def shown(*rows: tuple[str, float]) -> list[Exposure]:
    return [Exposure("u", item, at) for item, at in rows]


def test_an_item_cools_after_n_showings_within_the_cooldown():
    log = shown(("a", 100.0), ("b", 100.0), ("a", 200.0), ("c", 50.0))
    assert cooling(log, set(), times=1, cooldown=DAY, now=300.0) == ["a", "b", "c"]
    assert cooling(log, set(), times=2, cooldown=DAY, now=300.0) == ["a"]
    assert cooling(log, set(), times=3, cooldown=DAY, now=300.0) == []
    # the cooldown runs from the last showing: b and c are back, a (shown at 200) not yet
    assert cooling(log, set(), times=1, cooldown=150.0, now=320.0) == ["a"]
    assert cooling(log, set(), times=1, cooldown=DAY, now=200.0 + DAY) == []


def test_what_the_person_took_never_cools_and_zero_times_turns_it_off():
    log = shown(("a", 100.0), ("b", 100.0))
    assert cooling(log, {"a"}, times=1, cooldown=DAY, now=101.0) == ["b"]
    assert cooling(log, set(), times=0, cooldown=DAY, now=101.0) == []


@pytest.fixture
def log(tmp_path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    yield ExposureLog(store, ExposureSettings(times=1, keep=50), Feedback(FeedbackSettings()))
    store.close()


def test_pages_chain_and_a_bad_cursor_is_a_clear_error(log):
    first = log.page("u", None)
    assert first.page == 1 and first.before == () and len(first.answer_id) == 18
    log.record("u", first, ["a", "b"])
    second = log.page("u", first.answer_id)
    assert (second.feed, second.page, second.before) == (first.feed, 2, ("a", "b"))
    log.record("u", second, ["c"])
    assert log.page("u", second.answer_id).before == ("a", "b", "c")
    assert log.page("u", first.answer_id).before == ("a", "b")  # page 2 again, from page 1
    for bad, said in [("nonsense", "not a recommendation_id"), (first.answer_id.replace("-1", "-0"), "not a"),
                      (Page("0" * 16, 1).answer_id, "no recorded answer")]:
        with pytest.raises(InvalidInput, match=said):
            log.page("u", bad)
    with pytest.raises(InvalidInput, match="no recorded answer"):
        log.page("someone else", first.answer_id)
    with pytest.raises(InvalidInput, match="needs the user_id"):
        log.page(None, first.answer_id)


def test_anonymous_answers_are_not_recorded_and_impressions_are(log):
    assert log.record(None, log.page(None, None), ["a"]) == 0
    batch = [Event(user_id="u", item_id="a", type="impression", timestamp=10.0),
             Event(user_id="u", item_id="b", type="view", timestamp=11.0),
             Event(user_id="u", item_id="c", type="dislike", timestamp=12.0)]
    assert log.impressions(batch) == [Exposure("u", "a", 10.0)]
    log.store.add_events(batch, log.impressions(batch), keep=50)  # as the pipeline writes them: together
    assert log.store.exposures("u") == [Exposure("u", "a", 10.0)]
    again = [Event(user_id="u", item_id="a", type="impression", timestamp=10.0),  # a retried batch
             Event(user_id="u", item_id="a", type="impression", timestamp=30.0)]  # shown again later
    assert log.store.add_events(again, log.impressions(again), keep=50) == (1, 1)
    assert [x.shown_at for x in log.store.exposures("u")] == [10.0, 30.0]
    assert log.cooling("u", set(), now=20.0) == ["a"] and log.cooling("u", set(), now=10.0 + 4 * DAY) == []


# -- exploration ------------------------------------------------------------------------

def test_exploration_slots():
    from service.exposure.explore import slots

    assert [slots(10, s) for s in (0.0, 0.04, 0.1, 0.25, 0.5)] == [0, 0, 1, 3, 5]
    assert slots(1, 0.5) == 0 and slots(2, 0.5) == 1  # never the whole page


def test_the_bandit_prefers_what_converts_and_what_the_model_likes():
    import numpy as np

    from service.exposure.explore import draw

    rng = np.random.default_rng(0)
    many = 20000
    good = draw(rng, np.full(many, 5.0), np.full(many, 5.0), np.zeros(many), 4.0).mean()
    bad = draw(rng, np.full(many, 0.0), np.full(many, 10.0), np.zeros(many), 4.0).mean()
    liked = draw(rng, np.zeros(many), np.zeros(many), np.ones(many), 4.0).mean()
    unliked = draw(rng, np.zeros(many), np.zeros(many), np.zeros(many), 4.0).mean()
    assert good > bad and liked > unliked
    assert abs(good - 6 / 16) < 0.01 and abs(liked - 5 / 6) < 0.01  # Beta means


def test_exploration_picks_allowed_little_known_items_and_reaches_new_ones(tmp_path):
    import numpy as np

    from service.exposure.explore import Explorer

    store = SqliteStore(tmp_path / "s.sqlite3")
    ids = [f"i{n}" for n in range(50)]
    store.add_exposures([Exposure("u", "i0", float(t)) for t in range(30)], keep=100)  # i0 is well known
    ex = Explorer(store, ExposureSettings(explore=0.1, explore_max_known=20), seed=1)
    allowed = np.ones(50, bool)
    allowed[1] = False  # filtered out for this request
    positives = np.zeros(50)
    positives[2] = 25.0  # popular: known
    reached: set[str] = set()
    for _ in range(200):
        picks = ex.pick(ids, {i: r for r, i in enumerate(ids)}, allowed, positives, {"i3": 1.0}, 2)
        assert len(picks) == 2 and not {"i0", "i1", "i2"} & {i for i, _ in picks}
        ex.shown(i for i, _ in picks)
        reached |= {i for i, _ in picks}
    assert reached == set(ids) - {"i0", "i1", "i2"}  # every little-known item got its exposures
    rows = {i: r for r, i in enumerate(ids)}
    assert ex.pick(ids, rows, np.zeros(50, bool), positives, {}, 2) == []
    assert ex.pick(ids, rows, allowed, positives, {}, 0) == []
    store.close()


# -- experiments ------------------------------------------------------------------------

def test_people_keep_their_arm_and_the_split_is_even():
    from collections import Counter

    from service.exposure.experiment import assign

    arms = ["a", "b"]
    split = Counter(assign("exp1", f"user{n}", arms) for n in range(4000))
    assert abs(split["a"] - 2000) < 150  # ~3 sd of a fair coin
    assert all(assign("exp1", f"user{n}", arms) == assign("exp1", f"user{n}", arms) for n in range(50))
    moved = sum(assign("exp1", f"user{n}", arms) != assign("exp2", f"user{n}", arms) for n in range(1000))
    assert 400 < moved < 600  # a new experiment reshuffles


def test_wilson_interval_known_values():
    from service.exposure.experiment import wilson

    rate, low, high = wilson(10, 100)
    assert rate == 0.1 and round(low, 4) == 0.0552 and round(high, 4) == 0.1744
    assert wilson(0, 0) == (0.0, 0.0, 1.0)
    assert wilson(0, 50)[1] < 1e-12 and wilson(50, 50)[2] == 1.0 and round(wilson(0, 50)[2], 4) == 0.0713


def test_a_positive_counts_for_the_arm_that_showed_the_item_before_it(tmp_path):
    from service.exposure.experiment import Experiment
    from service.settings import ExperimentSettings

    store = SqliteStore(tmp_path / "s.sqlite3")
    exp = Experiment(ExperimentSettings(name="e"), store, Feedback(FeedbackSettings()))
    log = ExposureLog(store, ExposureSettings(), Feedback(FeedbackSettings()))
    log.record("p", log.page("p", None), ["shown"], at=100.0)
    store.add_exposures([Exposure("p", "impressed", 100.0)], keep=10)  # an impression: not an arm's answer
    arm = exp.arm("p")
    events = [Event(user_id="p", item_id="shown", type="view", timestamp=150.0),
              Event(user_id="p", item_id="shown", type="purchase", timestamp=151.0),  # the same item: once
              Event(user_id="p", item_id="impressed", type="view", timestamp=150.0),
              Event(user_id="p", item_id="never", type="view", timestamp=150.0),
              Event(user_id="q", item_id="shown", type="view", timestamp=150.0)]
    assert exp.attributed(events) == {arm: 1}
    assert exp.attributed([Event(user_id="p", item_id="shown", type="view", timestamp=50.0)]) == {}  # before
    assert exp.attributed([Event(user_id="p", item_id="shown", type="dislike", timestamp=150.0)]) == {}
    off = Experiment(ExperimentSettings(), store, Feedback(FeedbackSettings()))
    assert off.arm("p") is None and off.attributed(events) == {} and off.weights(None) is None
    store.close()


def test_an_experiment_needs_two_arms():
    from service.settings import ExperimentSettings

    with pytest.raises(ValueError, match="at least two arms"):
        ExperimentSettings(name="x", arms={"a": {}})


def test_the_least_known_items_are_explored_first(tmp_path):
    import numpy as np

    from service.exposure.explore import Explorer

    store = SqliteStore(tmp_path / "s.sqlite3")
    ids = ["new1", "new2", "tail1", "tail2", "tail3"]
    ex = Explorer(store, ExposureSettings(explore=0.1, explore_max_known=20), seed=3)
    positives = np.array([0.0, 0.0, 3.0, 1.0, 2.0])
    first = ex.pick(ids, {i: r for r, i in enumerate(ids)}, np.ones(5, bool), positives, {"tail1": 1.0}, 3)
    assert {i for i, _ in first[:2]} == {"new1", "new2"} and first[2][0] == "tail2"
    ex.shown(["new1", "new2"] * 2)  # shown twice each: now better known than tail2
    assert ex.pick(ids, {i: r for r, i in enumerate(ids)}, np.ones(5, bool), positives, {}, 1)[0][0] == "tail2"
    store.close()


def test_exposure_features_count_showings_before_the_request_only():
    import math

    from service.rerank.adapted import exposure_columns

    x = exposure_columns([("a", 0.0), ("a", 3600.0), ("b", 7200.0), ("c", 9000.0)], ["a", "b", "c", "d"], 7200.0)
    assert x[0].tolist() == [math.log1p(2), math.log1p(1.0)]  # twice, the last an hour before
    assert x[1].tolist() == [0.0, -1.0]  # shown at the request's own moment: not before it
    assert x[2].tolist() == [0.0, -1.0] and x[3].tolist() == [0.0, -1.0]  # after it, never


def test_training_reads_the_request_behind_a_target_and_what_was_passed_over():
    from service.train.fit_adapted.examples import Shown

    s = Shown([("t", 50.0), ("x", 50.0), ("y", 10.0), ("t", 10.0), ("z", 90.0), ("k", 40.0)], frozenset({"k"}))
    assert s.request_time("t", 60.0) == 50.0  # the page that showed it, not the moment it was taken
    assert s.request_time("never-shown", 60.0) == 60.0
    # shown up to that page, never taken, newest first; the target and what was taken are not
    assert s.ignored(50.0, "t") == ["x", "y"]
