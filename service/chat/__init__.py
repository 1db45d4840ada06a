"""Chat-style requests -> a CandidateRequest -> the pipeline -> a short reply.

This first version reads the latest user turn as the request text and combines it with
the user's history; the reply is built from facts (titles), never free generation.
Intent extraction (constraints, negations, 'like X', refinements, languages) and
LLM-written replies plug in here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from service.errors import InvalidInput
from service.pipeline import Recommendation, Recommender
from service.types import CandidateRequest


@dataclass
class ChatTurn:
    role: str
    content: str


def plan(messages: list[ChatTurn], user_id: str | None, k: int) -> CandidateRequest:
    users = [m.content.strip() for m in messages if m.role == "user" and m.content.strip()]
    if not users:
        raise InvalidInput("messages must contain at least one non-empty 'user' message")
    return CandidateRequest(user_id=user_id, query=users[-1], k=k)


def reply_pieces(rec: Recommendation, request: CandidateRequest) -> Iterator[str]:
    titles = [r.title for r in rec.items]
    if not titles:
        yield "I could not find anything that fits; try describing it differently."
        return
    yield f"Here are {len(titles)} picks for \u201c{request.query}\u201d: "
    for i, t in enumerate(titles):
        yield t + (", " if i < len(titles) - 1 else ".")


def respond(recommender: Recommender, messages: list[ChatTurn], user_id: str | None, k: int,
            allow_degraded: bool = True) -> tuple[Recommendation, CandidateRequest]:
    req = plan(messages, user_id, k)
    return recommender.recommend_full(req), req
