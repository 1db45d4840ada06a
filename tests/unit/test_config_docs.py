"""The documentation stays true to the code: docs/configuration.md is what
scripts/gen_config_docs.py writes from the current Settings, and every relative link in
README.md and docs/ points at a file (and heading) that exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# [text](target) and ![alt](target); the target ends at whitespace or ')'
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_config_docs", ROOT / "scripts" / "gen_config_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prose(text: str) -> str:
    """Markdown without code blocks and inline code (links inside them are not links)."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(h) for h in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8")))}


def relative_links(page: Path):
    for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        yield target


def test_configuration_page_is_current():
    problem = load_generator().check()
    assert problem is None, problem


def test_generator_names_every_nested_setting_by_its_variable():
    page = load_generator().render()
    for variable in ("RECS_DATA_DIR", "RECS_LLM__BUDGET_MS", "RECS_CF__NEIGHBOURS",
                     "RECS_TRAINER__ENABLED", "RECS_FUSION__HISTORY"):
        assert f"`{variable}`" in page


def test_check_reports_a_stale_page_with_the_command(tmp_path):
    generator = load_generator()
    stale = tmp_path / "configuration.md"
    stale.write_text(generator.render() + "\nedited by hand\n", encoding="utf-8")
    assert "python scripts/gen_config_docs.py" in generator.check(stale)
    assert "missing" in generator.check(tmp_path / "absent.md")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(page):
    broken = []
    for target in relative_links(page):
        path_part, _, fragment = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target} (no file {resolved.relative_to(ROOT) if ROOT in resolved.parents else resolved})")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            broken.append(f"{target} (no heading #{fragment} in {resolved.relative_to(ROOT)})")
    assert not broken, f"{page.relative_to(ROOT)} has broken links: {broken}"


def test_readme_is_a_front_page():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"README.md has {lines} lines; move detail into docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pages_do_not_cite_work_history(page):
    """A reader cannot follow 'issue 7' or 'session 4': state facts about the system."""
    found = re.findall(r"\b(?:issue|session)[ -]\d+\b|\bthis session\b", page.read_text(encoding="utf-8"), re.I)
    assert not found, f"{page.relative_to(ROOT)} cites {found}"
