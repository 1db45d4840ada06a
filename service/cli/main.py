"""Command line: `python -m service --help`. Errors from the domain become exit codes
in `common.Commands`, and only there."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

import service.cli.common as common
from service.assets import asset
from service.cli.common import Commands, console, open_recommender as _recommender, progress as _progress
from service.cli.chat import chat_cmd, print_chat
from service.cli.cluster import serve_cmd, worker_cmd
from service.cli.evaluate import eval_cmd, logs_app
from service.cli.index import index_with_progress, reindex_cmd
from service.cli.prompts import prompts_app
from service.cli.rerank import rerankers_app, train_reranker_cmd, trainer_cmd
from service.errors import InvalidInput, RecsError
from service.settings import get_settings

app = typer.Typer(cls=Commands, add_completion=False, no_args_is_help=True, help="Local-first LLM recommendations.")
err = common.err

DEMO_DATA = asset("demo", "ml-latest-small")


def _parse_map(pairs: list[str]) -> dict[str, str]:
    out = {}
    for p in pairs:
        if "=" not in p:
            raise InvalidInput(f"--map takes FIELD=COLUMN, got {p!r}")
        k, v = p.split("=", 1)
        out[k.strip()] = v.strip()
    return out


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Option(help="file (csv/jsonl) or dataset folder")],
    format: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl, movielens-csv, movielens-100k, goodbooks")],
    kind: Annotated[str, typer.Option(help="csv/jsonl only: items or events")] = "items",
    map: Annotated[Optional[list[str]], typer.Option("--map", help="FIELD=COLUMN, repeatable")] = None,
    index: Annotated[bool, typer.Option(help="rebuild indexes after the import")] = True,
) -> None:
    """Import items and events; bad rows are reported with their line numbers."""
    from service.feedback import Feedback
    from service.ingest import import_path
    from service.store import open_store

    settings = get_settings()
    store = open_store(settings)
    with _progress() as bar:
        task = bar.add_task("parse", total=None)
        report = import_path(store, format, path, _parse_map(map or []), kind,
                             progress=lambda stage, n: bar.update(task, description=stage, completed=n),
                             feedback=Feedback(settings.feedback))
    console.print(report.summary())
    if index:
        index_with_progress()


@app.command()
def index() -> None:
    """Rebuild the CF matrices and sync item vectors into Chroma."""
    index_with_progress()


def _print_ranked(title: str, ranked, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps([r.model_dump(exclude={"attributes"}) for r in ranked]))
        return
    table = Table(title=title)
    for col in ("#", "item", "title", "score", "sources"):
        table.add_column(col)
    for r in ranked:
        src = ", ".join(f"{k}={v:.3g}" for k, v in r.sources.items())
        table.add_row(str(r.rank), r.item_id, r.title, f"{r.score:.4f}", src)
    console.print(table)


@app.command()
def recommend(
    user: Annotated[Optional[str], typer.Option(help="user id (optional: cold start)")] = None,
    query: Annotated[Optional[str], typer.Option(help="free-text request")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100)] = 10,
    include: Annotated[Optional[list[str]], typer.Option(help="ATTR=VALUE, repeatable")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(help="ATTR=VALUE, repeatable")] = None,
    llm: Annotated[bool, typer.Option("--llm/--no-llm", help="rerank with the LLM")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recommend items for a user and/or a free-text request."""
    from service.types import CandidateRequest, Filters

    filters = Filters(include=_multi(include), exclude=_multi(exclude))
    rec = _recommender(with_llm=llm)
    out = rec.recommend_full(CandidateRequest(user_id=user, query=query, k=k, filters=filters), use_llm=llm)
    _print_recommendation(f"user={user} query={query!r}", out, as_json)


def _print_recommendation(title: str, out, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps({
            "items": [r.model_dump(exclude={"attributes"}) for r in out.items], "reranked": out.reranked,
            "fallback_reason": out.fallback_reason, "model": out.model, "prompt_version": out.prompt_version,
            "blend": out.blend, "reranker_version": out.reranker_version, "timings_ms": out.timings_ms}))
        return
    _print_ranked(title, out.items, False)
    how = f"reranked by the {out.ranker} reranker" if out.reranked else f"candidate order ({out.fallback_reason})"
    times = ", ".join(f"{k} {v:.0f} ms" for k, v in out.timings_ms.items())
    console.print(f"[dim]{how}; model {out.model}, prompt {out.prompt_version}, reranker {out.reranker_version};"
                  f" {times}[/dim]")


def _multi(pairs: list[str] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in _parse_map(pairs or []).items():
        out.setdefault(k, []).extend(x.strip() for x in v.split(","))
    return out


@app.command()
def similar(
    item: Annotated[str, typer.Option(help="item id")],
    k: Annotated[int, typer.Option("-k", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Items similar to one item."""
    rec = _recommender()
    _print_ranked(f"similar to {item}", rec.similar(item, k), as_json)


@app.command()
def stats() -> None:
    """Counts of items, events and users, and the index state."""
    from service.store import open_store

    s = get_settings()
    store = open_store(s)
    st = store.stats()
    console.print(f"data dir: {s.data_dir}\nitems: {st.items}\nevents: {st.events}\nusers: {st.users}")
    from service.candidates import snapshots

    version = snapshots.current_version(store)
    meta = snapshots.folder(s, version) / "index.json"
    if version and meta.exists():
        built = json.loads(meta.read_text())["built_from"]
        console.print(f"index: snapshot v{version}, built from events up to id {built} "
                      f"({st.last_event_id - built} newer)")
    else:
        console.print("index: not built (run `index`)")


@app.command()
def demo(
    user: Annotated[str, typer.Option(help="demo user id")] = "1",
    query: Annotated[str, typer.Option(help="demo free-text request")] = "a funny animated movie for kids",
    chat: Annotated[str, typer.Option(help="demo chat request")] = "我想看一部喜剧动画片，不要音乐剧",
) -> None:
    """Import the shipped MovieLens demo (once), build indexes, print recommendations."""
    from service.store import open_store

    s = get_settings()
    if open_store(s).stats().items == 0:
        console.print(f"importing demo data from {DEMO_DATA} into {s.data_dir}")
        import_cmd(path=DEMO_DATA, format="movielens-csv", kind="items", map=None, index=True)
    from service.types import CandidateRequest

    rec = _recommender(with_llm=True)
    hist = rec.store.history(user, limit=5)
    titles = rec.store.get_items([h.item_id for h in hist])
    console.print(f"user {user}'s latest items: " + "; ".join(titles[h.item_id].title for h in hist if h.item_id in titles))
    _print_recommendation(f"for user {user}", rec.recommend_full(CandidateRequest(user_id=user, k=10)), False)
    _print_recommendation(f"for {query!r}", rec.recommend_full(CandidateRequest(query=query, k=10)), False)
    _print_recommendation(f"for user {user} + {query!r}",
                          rec.recommend_full(CandidateRequest(user_id=user, query=query, k=10)), False)

    for message in (chat, "something like Toy Story, but not a musical"):
        console.rule(f"chat for user {user}, with blurbs: {message}")
        print_chat(rec, [message], user, k=3)


@app.command("train-blend")
def train_blend_cmd(
    users: Annotated[int, typer.Option(help="held-out users to fit on (about 1 s each)")] = 200,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Fit the LLM/candidate blend and the position calibration on this catalog's own
    held-out next items; the service loads the result at start-up."""
    from service.llm import make_backend
    from service.train.fit_blend import train_blend
    from service.store import open_store

    s = get_settings()
    backend = make_backend(s)
    if backend is None:
        raise InvalidInput("train-blend needs an LLM: RECS_LLM__BACKEND is 'none'")
    with _progress() as bar:
        task = bar.add_task("scoring held-out users", total=users)
        blend, path = train_blend(s, open_store(s), backend, users, seed,
                                  progress=lambda n, total: bar.update(task, completed=n, total=total))
    m = blend.meta
    table = Table(title=f"blend for {m.get('model')} / {m.get('prompt')} ({m.get('users')} users)")
    table.add_column("ranker")
    table.add_column("NDCG@10 (fit split)", justify="right")
    table.add_row("candidate order", f"{m.get('identity_ndcg@10', 0):.4f}")
    table.add_row("blend without LLM", f"{m.get('ablation_no_llm_ndcg@10') or 0:.4f}")
    table.add_row("blend with LLM", f"{m.get('with_llm_ndcg@10') or 0:.4f}")
    console.print(table)
    console.print(f"kind: {m.get('kind')}; LLM weight {blend.llm_weight:.4f}"
                  + (f"; {m['reason']}" if m.get("reason") else "") + f"\nsaved {path}")


@app.command("mcp")
def mcp_cmd() -> None:
    """Serve the MCP tools (recommend, chat, similar_items, record_events, describe_item)
    over stdio, for desktop assistants and agent frameworks."""
    from service.api.mcp import serve_stdio

    serve_stdio(get_settings())


@app.command()
def models() -> None:
    """Known models (models/registry.yaml) and whether each is installed."""
    from service.llm.registry import known_models, resolve_model

    table = Table(title="models")
    for col in ("name", "installed", "description"):
        table.add_column(col)
    for name, entry in known_models().items():
        try:
            resolve_model(name, get_settings().models_dir)
            ok = "yes"
        except RecsError as e:
            ok = str(e)
        table.add_row(name, ok, entry.get("description", ""))
    console.print(table)
    console.print(f"in use: {get_settings().llm.model} ({get_settings().llm.backend})")


app.command("reindex")(reindex_cmd)
app.command("serve")(serve_cmd)
app.command("worker")(worker_cmd)
app.command("chat")(chat_cmd)
app.command("eval")(eval_cmd)
app.command("train-reranker")(train_reranker_cmd)
app.command("trainer")(trainer_cmd)
app.add_typer(rerankers_app, name="rerankers")
app.add_typer(prompts_app, name="prompts")
app.add_typer(logs_app, name="logs")


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
