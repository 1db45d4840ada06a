"""What every CLI module shares: the consoles, the progress bar, loading the
recommender, and the one translation of domain errors to exit codes (`Commands`, the
click group every command runs under). It sits below the other `cli` modules so none of
them imports another for these."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from typer.core import TyperGroup
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.errors import InvalidInput, NotFound, NotReady, RecsError
from service.settings import get_settings

# Wide tables when piped or logged (rich falls back to 80 columns off a terminal).
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

EXIT = {InvalidInput: 2, NotFound: 3, NotReady: 4}


def fail(e: RecsError) -> None:
    err.print(f"[red]error:[/red] {e}")
    raise typer.Exit(next((c for t, c in EXIT.items() if isinstance(e, t)), 1))


class Commands(TyperGroup):
    """The command group: a domain error raised by any command or subcommand becomes one
    line on stderr and its exit code (`fail`), never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RecsError as e:
            fail(e)


def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=False)


def open_recommender(with_llm: bool = False):
    from service.pipeline import Recommender

    with err.status("loading indexes" + (" and the model..." if with_llm else "...")):
        return Recommender.open(get_settings(), with_llm=with_llm)
