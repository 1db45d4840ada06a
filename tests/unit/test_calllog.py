import time

from service.calllog import CallLog


def test_record_list_search_show_and_forget(tmp_path):
    log = CallLog(tmp_path / "calls.sqlite3")
    a = log.record("score", "rank_listwise@v1", "PROMPT about space", {"A": -0.1}, model="m", user_id="alice",
                   latency_ms=12.5, tokens=40)
    log.record("score", "rank_listwise@v1", "PROMPT about toys", {"A": -0.2}, model="m", user_id="bob",
               fallback="timeout after 1500 ms")
    call = log.get(a)
    assert call.rendered == "PROMPT about space" and call.tokens == 40 and call.prompt == "rank_listwise@v1"
    assert call.user_hash and "alice" not in call.user_hash  # ids are hashed
    assert [c.id for c in log.list(search="toys")] == [a + 1]
    assert [c.id for c in log.list(user_id="alice")] == [a]
    assert log.list(prompt="rank_listwise")[0].fallback == "timeout after 1500 ms"
    assert log.forget("alice") == 1
    assert log.list(user_id="alice") == [] and len(log.list()) == 1
    # the salt persists, so a reopened log still finds users
    assert CallLog(tmp_path / "calls.sqlite3").list(user_id="bob")[0].rendered == "PROMPT about toys"


def test_off_switch_and_retention(tmp_path):
    off = CallLog(tmp_path / "off.sqlite3", enabled=False)
    assert off.record("score", "p@v1", "x", {}) is None and off.list() == []
    log = CallLog(tmp_path / "calls.sqlite3", retention_days=1)
    log.record("score", "p@v1", "old", {})
    log._conn.execute("UPDATE calls SET ts = ?", (time.time() - 3 * 86400,))
    log._conn.commit()
    log.record("score", "p@v1", "new", {})
    log.prune()
    assert [c.rendered for c in log.list()] == ["new"]
