"""`python -m service chat`: ask for recommendations in your own words (any of English,
French, Spanish, Chinese); the list prints first, then each blurb as it is written."""

from __future__ import annotations

from typing import Annotated, Optional

import typer



def chat_cmd(
    message: Annotated[list[str], typer.Argument(help="the conversation: user, assistant, user... turns")],
    user: Annotated[Optional[str], typer.Option(help="user id (their history is used)")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=20)] = 5,
    llm: Annotated[bool, typer.Option("--llm/--no-llm")] = True,
    explain: Annotated[bool, typer.Option("--explain/--no-explain")] = True,
) -> None:
    from service.cli.common import open_recommender as _recommender

    rec = _recommender(with_llm=llm)
    print_chat(rec, message, user, k, explain, llm)


def print_chat(rec, message: list[str], user: str | None, k: int = 5, explain: bool = True,
               llm: bool = True) -> None:
    from service.chat import Chat, Turn
    from service.cli.common import console

    chat = Chat(rec, rec.explainer if llm else rec.facts_explainer)
    turns = [Turn("user" if i % 2 == 0 else "assistant", m) for i, m in enumerate(message)]
    titles: dict[str, str] = {}
    notes: list[str] = []
    language = "en"
    for kind, ev in chat.run(turns, user, k, explain=explain, use_llm=llm):
        if kind == "plan":
            i = ev.intent
            language = i.language
            console.print(f"[dim]understood: language {i.language}; query {ev.request.query!r}; "
                          f"filters {ev.request.filters.model_dump(exclude_defaults=True)}; like {i.seeds}[/dim]")
        elif kind == "items":
            titles = {r.item_id: r.title for r in ev.items}
        elif kind == "reply":
            console.print(ev)
        elif kind == "blurb":
            console.print(f"• [bold]{titles.get(ev.item_id, ev.item_id)}[/bold] — {ev.text}")
            if not ev.grounded and ev.note:
                notes.append(ev.note)
        elif kind == "done" and not explain:
            console.print(ev)
    if notes and language == "en":  # said once, and only to whom it reads naturally
        console.print(f"[dim](reasons from catalog facts: {'; '.join(dict.fromkeys(notes))})[/dim]")
