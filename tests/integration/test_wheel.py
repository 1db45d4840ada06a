"""The package as a user installs it: a wheel built from this tree, installed into a new
virtual environment, runs the demo from another folder (prompts, model registry, lexicon
and demo data come from the package, not from the source tree)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def test_the_wheel_runs_the_demo_from_any_folder(tmp_path):
    run(sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path / "dist"))
    wheel = next((tmp_path / "dist").glob("llm_recs-*.whl"))
    venv = tmp_path / "venv"
    # the dependencies come from this environment; the package itself only from the wheel
    run(sys.executable, "-m", "venv", "--system-site-packages", str(venv))
    py = venv / "bin" / "python"
    run(str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # no PYTHONPATH: one pointing at a source tree would shadow the installed wheel
    env = {**os.environ, "RECS_DATA_DIR": str(tmp_path / "data"), "RECS_LLM__BACKEND": "none",
           "RECS_TRAINER__ENABLED": "false", "PYTHONPATH": ""}
    where = run(str(py), "-c", "import service; print(service.__file__)", cwd=elsewhere, env=env).stdout
    assert str(venv) in where, where
    out = run(str(py), "-m", "service", "demo", cwd=elsewhere, env=env, timeout=900).stdout
    assert "importing demo data" in out and "service/assets/demo/ml-latest-small" in out
    imported = re.search(r"imported (\d+) items, (\d+) events .*?(\d+) bad rows", out)
    assert imported and imported.groups() == ("9742", "100836", "0"), out[:2000]  # ml-latest-small, whole
    # three tables (for user 1, for the text, for both) of ten ranked rows: rank, item, title, score
    rows = re.findall(r"^│ (\d+)\s+│ (\S+)\s+│ (.+?)\s+│ (\d+\.\d{4}) │", out, re.M)
    assert [int(r[0]) for r in rows] == list(range(1, 11)) * 3, out
    assert all(float(r[3]) > 0 for r in rows)
    assert any(r[2].startswith("Toy Story") for r in rows[10:20]), rows[10:20]  # "a funny animated movie for kids"
    assert len(re.findall(r"^• .+ — .+", out, re.M)) == 6, out  # two chats, three items with a reason each
    listed = run(str(py), "-m", "service", "prompts", "list", cwd=elsewhere, env=env).stdout
    assert "rank_listwise" in listed and "blurb" in listed
