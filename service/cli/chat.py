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
    from service.chat import Blurb, Chat, Done, Items, Planned, Reply, Turn
    from service.cli.common import console

    chat = Chat(rec, rec.explainer if llm else rec.facts_explainer)
    turns = [Turn("user" if i % 2 == 0 else "assistant", m) for i, m in enumerate(message)]
    titles: dict[str, str] = {}
    notes: list[str] = []
    language = "en"
    for ev in chat.run(turns, user, k, explain=explain, use_llm=llm):
        if isinstance(ev, Planned):
            i, req = ev.plan.intent, ev.plan.request
            language = i.language
            console.print(f"[dim]understood: language {i.language}; query {req.query!r}; "
                          f"filters {req.filters.model_dump(exclude_defaults=True)}; like {i.seeds}[/dim]")
        elif isinstance(ev, Items):
            titles = {r.item_id: r.title for r in ev.recommendation.items}
        elif isinstance(ev, Reply):
            console.print(ev.text)
        elif isinstance(ev, Blurb):
            console.print(f"• [bold]{titles.get(ev.item_id, ev.item_id)}[/bold] — {ev.text}")
            if not ev.grounded and ev.note:
                notes.append(ev.note)
        elif isinstance(ev, Done) and not explain:
            console.print(ev.reply)
    if notes and language == "en":  # said once, and only to whom it reads naturally
        console.print(f"[dim](reasons from catalog facts: {'; '.join(dict.fromkeys(notes))})[/dim]")
