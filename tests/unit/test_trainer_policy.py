"""When the background trainer trains: enough signal, a settled store, enough new events."""

from service.settings import TrainerSettings
from service.train.background import Snapshot, TrainerPolicy

CFG = TrainerSettings(min_users=50, settle_s=10, refit_after_events=5000, refit_growth=0.2, refit_after_s=3600)
POLICY = TrainerPolicy(CFG)


def test_waits_for_enough_users_with_history():
    due, why = POLICY.due(Snapshot(100, 100, 49), None, quiet_s=60, now=0)
    assert not due and "49 of 50" in why
    assert POLICY.due(Snapshot(100, 100, 50), None, quiet_s=60, now=0)[0]


def test_waits_for_a_bulk_load_to_settle():
    due, why = POLICY.due(Snapshot(100, 100, 80), None, quiet_s=3, now=0)
    assert not due and "still arriving" in why


def test_refits_on_new_events_growth_or_age():
    last = {"snapshot_event_id": 100_000, "events": 100_000, "finished_ts": 0.0}
    assert not POLICY.due(Snapshot(100_010, 100_010, 80), last, 60, now=10)[0]
    assert POLICY.due(Snapshot(105_000, 105_000, 80), last, 60, now=10)[0]      # 5000 new events
    small = {"snapshot_event_id": 1000, "events": 1000, "finished_ts": 0.0}
    assert POLICY.due(Snapshot(1200, 1200, 80), small, 60, now=10)[0]           # 20% growth
    assert POLICY.due(Snapshot(100_001, 100_001, 80), last, 60, now=3600)[0]    # old, and anything new
    assert not POLICY.due(Snapshot(100_000, 100_000, 80), last, 60, now=99_999)[0]  # nothing new: no refit


def test_refits_once_when_llm_features_become_ready():
    last = {"snapshot_event_id": 100, "events": 100, "finished_ts": 0.0, "with_llm_features": False}
    due, why = POLICY.due(Snapshot(100, 100, 80), last, 60, now=1, features_ready=True)
    assert due and "LLM item features" in why
    assert not POLICY.due(Snapshot(100, 100, 80), {**last, "with_llm_features": True}, 60, 1, True)[0]


def test_a_failed_run_backs_off():
    failed = {"failed": True, "finished_ts": 100.0}
    assert not POLICY.due(Snapshot(9000, 9000, 80), failed, 60, now=200)[0]
    assert POLICY.due(Snapshot(9000, 9000, 80), failed, 60, now=100 + 601)[0]
