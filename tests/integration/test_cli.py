"""The CLI as a user runs it: a real process, a temp data dir, tiny files."""

import json
import os
import subprocess
import sys

from tests.conftest import KIDS, SCIFI


def run(data_dir, *args, ok=True):
    env = {**os.environ, "RECS_DATA_DIR": str(data_dir)}
    p = subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, env=env, timeout=300)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def test_import_recommend_similar_stats(tmp_path):
    d = tmp_path / "ml"
    d.mkdir()
    rows = ["movieId,title,genres"] + [f'{i},"{t} ({y})",{"Sci-Fi" if i.startswith("s") else "Animation|Children"}'
                                       for i, t, _, y in SCIFI + KIDS]
    (d / "movies.csv").write_text("\n".join(rows) + "\n")
    ratings = ["userId,movieId,rating,timestamp"]
    for u in range(6):  # users start at s1/s2 (k1/k2), so "what comes next" is known
        block = SCIFI if u < 3 else KIDS
        ratings += [f"{u},{block[u % 2 + t][0]},4.0,{100 + t}" for t in range(4)]
    (d / "ratings.csv").write_text("\n".join(ratings) + "\nbroken\n")
    p = run(tmp_path / "data", "import", "--format", "movielens-csv", "--path", str(d))
    assert "imported 12 items, 24 events" in p.stdout and "1 bad rows" in p.stdout
    assert "ratings.csv:26" in p.stdout

    out = json.loads(run(tmp_path / "data", "recommend", "--user", "0", "-k", "2", "--no-llm", "--json").stdout)
    assert out["items"][0]["item_id"] == "s5" and "cf" in out["items"][0]["sources"]
    assert out["reranked"] is False and out["fallback_reason"] == "llm not requested"
    out = json.loads(run(tmp_path / "data", "recommend", "--query", "funny cartoon for kids", "-k", "3", "--json").stdout)
    assert all(r["item_id"].startswith("k") for r in out["items"])
    # untrained: the candidate order, no LLM pass, and the answer says why
    assert out["reranked"] is False and "nothing fitted" in out["fallback_reason"]
    out = json.loads(run(tmp_path / "data", "similar", "--item", "k2", "-k", "2", "--json").stdout)
    assert all(r["item_id"].startswith("k") for r in out)
    assert "events: 24" in run(tmp_path / "data", "stats").stdout


def test_errors_are_clear_and_exit_non_zero(tmp_path):
    p = run(tmp_path / "data", "import", "--format", "nope", "--path", str(tmp_path), ok=False)
    assert p.returncode == 2 and "unknown format" in p.stderr
    p = run(tmp_path / "data", "similar", "--item", "missing", ok=False)
    assert p.returncode == 3 and "no item 'missing'" in p.stderr


def test_several_workers_are_refused_on_sqlite_and_the_embedded_chroma(tmp_path):
    env_free = {k: v for k, v in os.environ.items() if k not in ("RECS_STORE_URL", "RECS_CHROMA_URL")}
    p = subprocess.run([sys.executable, "-m", "service", "serve", "--workers", "2"], capture_output=True, text=True,
                       env={**env_free, "RECS_DATA_DIR": str(tmp_path / "d")}, timeout=120)
    said = " ".join(p.stderr.split())  # rich wraps lines
    assert p.returncode == 2
    assert "RECS_STORE_URL=postgresql://" in said and "SQLite takes one writer process" in said
    p = subprocess.run([sys.executable, "-m", "service", "worker", "--once"], capture_output=True, text=True,
                       env={**env_free, "RECS_DATA_DIR": str(tmp_path / "d"),
                            "RECS_STORE_URL": "postgresql://u@127.0.0.1:1/db"}, timeout=120)
    said = " ".join(p.stderr.split())
    assert p.returncode == 2 and "RECS_CHROMA_URL" in said and "RECS_STORE_URL=" not in said
    assert not (tmp_path / "d" / "recs.sqlite3").exists()  # refused before anything was written
