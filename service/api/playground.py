"""The web playground: a chat page with streamed answers as cards (why each item: its
sources, scores, reranker, blurb grounding; similar items on click) and an eval page
(the latest `eval` report and the trainer's validation as charts, the prompt files with
the latest comparison of each blurb prompt).
Plain HTML and a small script shipped in the package: no build step, nothing fetched
from elsewhere."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.static_files import create_static_files_router

from service.api.runtime import Runtime
from service.errors import NotFound

STATIC = Path(str(files("service.api").joinpath("static")))

static_router = create_static_files_router(path="/playground/static", directories=[STATIC], opt={"public": True},
                                           include_in_schema=False)


@cache
def _page(name: str) -> str:
    """A page, read once."""
    return (STATIC / name).read_text(encoding="utf-8")


class PlaygroundController(Controller):
    path = "/"
    opt = {"public": True}  # the pages hold no data; the API calls they make need the key
    include_in_schema = False

    @get("/", media_type="text/html")
    async def chat_page(self) -> Response:
        return Response(_page("index.html"), media_type="text/html")

    @get("/playground/eval", media_type="text/html")
    async def eval_page(self) -> Response:
        return Response(_page("eval.html"), media_type="text/html")


class InsightController(Controller):
    path = "/v1"
    tags = ["prompts & eval"]

    @get("/eval/latest", sync_to_thread=True)
    def latest_eval(self, runtime: NamedDependency[Runtime]) -> dict:
        """The report of the latest `python -m service eval` on this data dir."""
        path = runtime.settings.latest_eval_path
        if not path.exists():
            raise NotFound("no evaluation yet: run `python -m service eval --format ... --path ...`")
        return json.loads(path.read_text())

    @get("/prompts", sync_to_thread=True)
    def prompts(self, runtime: NamedDependency[Runtime]) -> dict:
        """The prompt files (name, version, kind, description) and, for blurb prompts and
        the chat's value prompts, the latest `python -m service prompts compare` each took
        part in on this data dir (rank prompts are compared on a dataset, not kept here)."""
        from service.prompt_lab.compare import latest
        from service.prompt_lab.lab import use_of
        from service.prompts import list_prompts, load_prompt

        compared = latest(runtime.settings)
        kept = lambda p: p.kind == "generate" or use_of(p) == "values"  # noqa: E731
        return {"prompts": [{"name": p.name, "version": p.version, "kind": p.kind, "description": p.description,
                             "comparison": _brief(compared.get(p.name)) if kept(p) else None}
                            for p in map(load_prompt, list_prompts())]}


def _brief(summary: dict | None) -> dict | None:
    """What the eval page shows of a comparison: who against whom, on how much, and the
    clear differences."""
    if summary is None:
        return None
    keep = ("kind", "finished", "a", "b", "language", "people", "pairs", "requests", "judged", "seconds", "rates",
            "pairs_file")
    return {**{k: summary.get(k) for k in keep},
            "differences": [d for d in summary.get("differences", []) if d.get("clear")]}
