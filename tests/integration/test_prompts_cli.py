"""`prompts render | run | compare` for every kind of prompt, through the CLI, with the
real tiny model (SmolLM2-135M) on a data dir built from the shipped movie demo; and user
mistakes as one-line errors with exit code 2, never a traceback."""

import json
import os
import subprocess
import sys

import pytest
from litestar.testing import TestClient
from typer.testing import CliRunner

from service.api.app import create_app
from service.assets import asset
from service.cli import app
from service.prompt_lab.compare import comparisons_dir
from service.settings import LLMSettings, Settings, get_settings

pytestmark = pytest.mark.model

DEMO = asset("demo", "ml-latest-small")
ENV = {"RECS_EMBEDDER": "wordllama"}  # the demo indexes in a third of the time


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("prompts") / "data"
    subprocess.run([sys.executable, "-m", "service", "import", "--format", "movielens-csv", "--path", str(DEMO)],
                   env={**os.environ, **ENV, "RECS_DATA_DIR": str(d)}, check=True, capture_output=True, timeout=600)
    return d


@pytest.fixture(scope="module")
def cli(data_dir):
    mp = pytest.MonkeyPatch()
    for key, value in {**ENV, "RECS_DATA_DIR": str(data_dir)}.items():
        mp.setenv(key, value)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        r = runner.invoke(app, list(args))
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception  # no traceback
        assert r.exit_code == code, r.output
        return r

    yield invoke
    mp.undo()
    get_settings.cache_clear()


def one_line(text: str) -> str:
    return " ".join(text.split())  # rich wraps long lines


# -- render ---------------------------------------------------------------------------------------
def test_render_a_blurb_prompt_for_a_person_and_an_item(cli):
    out = cli("prompts", "render", "blurb", "--user", "1", "--item", "32").stdout
    assert "<|im_start|>assistant\nLike " in out  # SmolLM2's chat template, then the answer's start
    assert "Recommended to them: Twelve Monkeys. Facts: " in out  # the evidence, as the evidence sentence
    for name in ("liked", "asked", "item", "evidence", "anchor", "language"):
        assert f"\n{name}: " in out
    said = one_line(out)
    assert "chat template: applied" in said
    assert "shared with the other 4 prompt(s) of this answer: the first" in said


def test_render_the_few_shot_prompt_without_a_chat_template(cli):
    out = cli("prompts", "render", "blurb_fewshot", "--user", "2").stdout
    assert "<|im_start|>" not in out and "\nNote: Like " in out
    said = one_line(out)
    assert "chat template: not applied" in said
    assert "models/registry.yaml has smollm2-135m-instruct-q4_1 write blurbs with 'blurb'" in said


def test_render_a_rank_prompt_marks_what_it_cuts(cli):
    out = cli("prompts", "render", "rank_listwise", "--user", "1").stdout
    assert "Twelve Monkeys…[cut: 20 chars, RECS_LLM__TEXT_CHARS] (1995)" in out  # the year stays
    assert "Twelve Monkeys (a.k.a. 12" not in out
    assert "RECS_LLM__HISTORY_ITEMS=5" in one_line(out)


def test_render_and_run_the_chat_value_prompt(cli):
    out = cli("prompts", "render", "intent_values", "--query", "zombie movies").stdout
    assert "Request: zombie movies" in out and "Which genres does this request ask for?" in out
    assert "T. none of these" in out
    out = cli("prompts", "run", "intent_values", "--query", "zombie movies").stdout
    assert "genres: " in out and "the chat would take:" in out


# -- run ------------------------------------------------------------------------------------------
def test_run_a_blurb_prompt_for_the_top_k(cli):
    out = cli("prompts", "run", "blurb", "--user", "3", "--k", "2").stdout
    assert "blurb@v4 on smollm2" in out
    assert out.count("1 greedy") == 2  # one first attempt per item of the answer
    assert "of 2 blurbs by the model" in one_line(out)


def test_run_a_rank_prompt_as_before(cli):
    out = cli("prompts", "run", "rank_listwise_terse", "--user", "1", "-k", "4").stdout
    assert "log-prob" in out and "model rank" in out


# -- compare --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compared(cli, data_dir):
    out = cli("prompts", "compare", "blurb", "blurb_fewshot", "--users", "2", "--k", "2").stdout
    folder = comparisons_dir(Settings(data_dir=data_dir))
    (summary_path,) = folder.glob("blurb@*.json")
    return out, json.loads(summary_path.read_text())


def test_compare_two_blurb_prompts_on_the_same_people_and_items(compared):
    out, summary = compared
    assert summary["a"]["prompt"] == "blurb@v4" and summary["b"]["prompt"] == "blurb_fewshot@v1"
    assert summary["people"] == 2 and summary["pairs"] + sum(summary["skipped"].values()) == 4
    pairs = [json.loads(line) for line in open(summary["pairs_file"], encoding="utf-8")]
    assert len(pairs) == summary["pairs"]
    for p in pairs:  # the same item through both, with the service's verdicts
        assert p["a"]["prompt"] == "blurb@v4" and p["b"]["prompt"] == "blurb_fewshot@v1"
        assert p["values"]["item"] and all(p[s]["text"] and p[s]["check"] for s in "ab")
    assert set(summary["rates"]) >= {"grounded", "language", "praise", "words", "latency_ms"}
    clear = [d["clear"] for d in summary["differences"]]
    assert clear == sorted(clear, reverse=True)
    said = one_line(out)
    assert said.index("Differences") < said.index("side by side")  # what differs comes first
    assert "empty praise" in said and "every pair:" in said


def test_the_eval_page_lists_the_latest_comparison(compared, data_dir):
    settings = Settings(data_dir=data_dir, embedder="wordllama", llm=LLMSettings(backend="none"))
    with TestClient(create_app(settings)) as client:
        prompts = {p["name"]: p for p in client.get("/v1/prompts").json()["prompts"]}
    assert prompts["blurb"]["comparison"]["b"]["prompt"] == "blurb_fewshot@v1"
    assert prompts["blurb_fewshot"]["comparison"]["a"]["prompt"] == "blurb@v4"
    assert prompts["rank_listwise"]["comparison"] is None and prompts["rank_listwise"]["version"] == 2


REQUESTS = """
- {lang: en, turns: ["are there any good westerns?"], expected: {include: [Western]}}
- {lang: fr, turns: ["un thriller, mais pas d'horreur"], expected: {include: [Thriller], exclude: [Horror]}}
- {lang: zh, turns: ["有没有好看的恐怖片"], expected: {include: [Horror]}}
- {lang: en, turns: ["a film from the 80s"], expected: {ranges: {year: {gte: 1980}}}}
- {lang: en, user: "7", turns: ["a fantasy film", "<answer>", "more like it"], expected: {any: [Fantasy]}}
"""


@pytest.fixture(scope="module")
def values_compared(cli, data_dir, tmp_path_factory):
    requests = tmp_path_factory.mktemp("requests") / "set.yaml"
    requests.write_text(REQUESTS, encoding="utf-8")
    out = cli("prompts", "compare", "intent_values", "intent_values_strict", "--requests", str(requests)).stdout
    (summary_path,) = comparisons_dir(Settings(data_dir=data_dir)).glob("intent_values@*.json")
    return out, json.loads(summary_path.read_text())


def test_compare_two_value_prompts_on_the_same_requests(values_compared):
    out, summary = values_compared
    assert summary["kind"] == "values" and summary["b"]["prompt"] == "intent_values_strict@v1"
    assert summary["requests"] == 4 and summary["judged"] == 3  # the three-turn one left out; a year is not a value
    assert summary["attributes"] == ["genres"]
    pairs = [json.loads(line) for line in open(summary["pairs_file"], encoding="utf-8")]
    for p in pairs:  # each verdict follows from what was picked and what the request wants
        for side in (p["a"], p["b"]):
            picked = {v for _a, v, _p in side["picked"]}
            assert side["right"] == (p["judged"] and bool(picked & set(p["wanted"])))
            assert side["wrong"] == bool(picked & set(p["unwanted"]) or (p["judged"] and picked - set(p["wanted"])))
            assert side["latency_ms"] > 0 and side["prompt_tokens"] > 0
    assert summary["rates"]["prompt_tokens"]["b"] > summary["rates"]["prompt_tokens"]["a"]  # B's prompt is longer
    said = one_line(out)
    assert said.index("Differences") < said.index("side by side") and "every pair:" in said


def test_the_eval_page_lists_the_latest_value_comparison(values_compared, data_dir):
    settings = Settings(data_dir=data_dir, embedder="wordllama", llm=LLMSettings(backend="none"))
    with TestClient(create_app(settings)) as client:
        prompts = {p["name"]: p for p in client.get("/v1/prompts").json()["prompts"]}
    shown = prompts["intent_values"]["comparison"]
    assert shown["kind"] == "values" and shown["b"]["prompt"] == "intent_values_strict@v1" and shown["requests"] == 4


# -- user mistakes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("args, hint", [
    (["prompts", "render", "nope"], "use one of blurb, blurb_fewshot"),
    (["prompts", "run", "blurb"], "add --user"),
    (["prompts", "render", "blurb", "--user", "nobody"], "no user 'nobody'"),
    (["prompts", "render", "blurb", "--user", "1", "--item", "nothing"], "no item 'nothing'"),
    (["prompts", "render", "rank_listwise", "--item", "1"], "--item is for blurb prompts"),
    (["prompts", "render", "intent_values"], "add --query"),
    (["prompts", "compare", "rank_listwise", "rank_listwise_terse"], "add --format and --path"),
    (["prompts", "compare", "blurb", "blurb"], "give two prompts"),
    (["prompts", "compare", "intent_values", "intent_values_strict"], "add --requests"),
    (["prompts", "compare", "blurb", "blurb_fewshot", "--requests", "x.yaml"], "--requests is for the chat's value"),
    (["prompts", "compare", "intent_values", "intent_values_strict", "--requests", "missing.yaml"],
     "cannot read the request set missing.yaml"),
    (["logs", "show", "99999"], "logs list shows the latest ids"),
])
def test_a_user_mistake_is_an_error_that_says_what_to_do(cli, args, hint):
    r = cli(*args, code=2)
    assert hint in one_line(r.stderr)


def test_a_real_process_prints_no_traceback(data_dir):
    env = {**os.environ, **ENV, "RECS_DATA_DIR": str(data_dir)}
    for args in (["prompts", "compare", "blurb", "rank_listwise"], ["prompts", "run", "blurb_fewshot", "--user", "x"]):
        p = subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, env=env,
                           timeout=300)
        assert p.returncode == 2 and "Traceback" not in p.stderr + p.stdout
        assert one_line(p.stderr).startswith("error: ")
