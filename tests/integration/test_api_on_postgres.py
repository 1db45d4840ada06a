"""Every HTTP API test, unchanged, against the PostgreSQL store.

The default run uses SQLite; this runs the API suites again in a child pytest with
RECS_TEST_STORE=postgres, where every test (and every module's server) gets a fresh
database on the session's real PostgreSQL server through RECS_STORE_URL
(`tests/conftest.py`). The whole suite passes that way too:
`RECS_TEST_STORE=postgres python -m pytest`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

API_SUITES = ["test_api.py", "test_api_fuzz.py", "test_api_llm.py", "test_crash.py", "test_event_stream_properties.py",
              "test_openai_compat.py", "test_mcp.py", "test_playground.py", "test_pipeline.py", "test_cli.py"]

pytestmark = pytest.mark.model


def test_the_api_suites_pass_on_postgres(pg_server):
    here = Path(__file__).parent
    env = {**os.environ, "RECS_TEST_STORE": "postgres", "RECS_TEST_PG_ADMIN": pg_server.url()}
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE",
                        str(here.parent / "unit" / "test_store.py"), *[str(here / f) for f in API_SUITES]], env=env, capture_output=True, text=True,
                       cwd=here.parent.parent, timeout=1500)
    summary = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr[-2000:]
    assert p.returncode == 0, p.stdout[-6000:] + p.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 60 and "skipped" not in summary, summary  # they ran, on PostgreSQL
