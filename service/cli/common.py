"""What every CLI module shares: the consoles, the progress bar, loading the
recommender, and domain errors as exit codes from the one table in `service/errors.py` (`Commands`, the
click group every command runs under). It sits below the other `cli` modules so none of
them imports another for these."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from typer.core import TyperGroup
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.errors import RecsError, answer_for
from service.settings import get_settings

# Wide tables when piped or logged (rich falls back to 80 columns off a terminal).
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

def fail(e: RecsError) -> None:
    err.print(f"[red]error:[/red] {e}")
    raise typer.Exit(answer_for(e).exit_code)


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
