"""`index` and `reindex`: bring the derived indexes in line with the catalog, showing
the embedding progress. `reindex --embed` embeds every item again with the configured
embedder and drops the vectors other embedders left in Chroma."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.common import console, err, open_recommender, progress


def index_with_progress(reembed: bool = False) -> dict:
    rec = open_recommender()
    with progress() as bar:
        task = bar.add_task(f"embed items ({rec.embedder.name})", total=None)
        info = rec.build_index(progress=lambda stage, done, total: bar.update(task, completed=done, total=total),
                               reembed=reembed)
    console.print(f"index: {info['items']} items, {info['embedded']} newly embedded with {info['embedder']}; "
                  f"CF {info['cf_seconds']}s, embeddings {info['embed_seconds']}s")
    if reembed:
        dropped = rec.vectors.drop_others()
        if dropped:
            console.print(f"dropped the vectors of other embedders: {', '.join(dropped)}")
    elif info["other_embedders"]:
        err.print("[yellow]note:[/yellow] Chroma still holds vectors of other embedders ("
                  + ", ".join(f"{n}: {e}" for n, e in info["other_embedders"].items())
                  + "), unused; `python -m service reindex --embed` drops them")
    return info


def reindex_cmd(
    embed: Annotated[bool, typer.Option(
        "--embed", help="embed every item again with the configured embedder and drop other embedders' vectors")] = False,
) -> None:
    """Rebuild the indexes; with --embed, re-embed the whole catalog first."""
    index_with_progress(reembed=embed)
