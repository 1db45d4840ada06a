"""The service's verbs as Model Context Protocol tools, for desktop assistants and agent
frameworks: recommend, chat, similar items, record events, describe an item.

- `python -m service mcp` serves them over stdio (the process opens the data dir).
- The running API serves them over streamable HTTP at `/mcp` (same process, same
  recommender, same API key guard).
Each tool's input and output schemas are the HTTP API's own pydantic models, so a tool
call and a `POST` take the same JSON. Bad arguments and domain errors come back as a
tool error (`isError`), never a crash."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from service.api import actions
from service.api.runtime import Runtime
from service.api.schemas import (
    ChatRequest,
    ChatResponse,
    EventsAccepted,
    EventsIn,
    RecommendationRequest,
    RecommendationResponse,
    SimilarResponse,
)
from service.chat import Turn
from service.types import Item

INSTRUCTIONS = (
    "Recommendations from this catalog's own interaction data, reranked and explained by a small local "
    "model. Use `chat` for a request in words (English, French, Spanish or Chinese; follow-ups read the "
    "earlier turns), `recommend` for a user's next items, `similar_items` for neighbours of one item, "
    "`describe_item` for an item's details, and `record_events` to tell the service what a user did.")


def build_mcp(runtime: Runtime) -> MCPServer:
    mcp = MCPServer(name="llm-recs", instructions=INSTRUCTIONS, version="0.1.0")

    @mcp.tool(description="Recommendations for a user (their history) and/or a text query, with filters.")
    def recommend(request: RecommendationRequest) -> RecommendationResponse:
        return actions.recommend(runtime, request)

    @mcp.tool(description="Answer a chat request for recommendations: the reply text, the items with a short "
                          "reason each, and what was understood (constraints, numbers, referenced items).")
    def chat(request: ChatRequest) -> ChatResponse:
        turns = [Turn(m.role, m.content, m.item_ids) for m in request.messages]
        plan, run = actions.start_chat(runtime, turns, request.user_id, request.k, request.explain, request.use_llm)
        return actions.collect_chat(plan, run, lambda out: actions.shown(runtime, request.user_id, out,
                                                                         request.record_exposure))

    @mcp.tool(description="Items most similar to one item (collaborative and text similarity).")
    def similar_items(item_id: str, k: int = 10) -> SimilarResponse:
        if not 1 <= k <= 100:
            raise ValueError("k must be between 1 and 100")
        return actions.similar(runtime, item_id, k)

    @mcp.tool(description="Record what users did (views, purchases, ratings); the next answers use it.")
    def record_events(request: EventsIn) -> EventsAccepted:
        return actions.record_events(runtime, request)

    @mcp.tool(description="An item's title, text and attributes.")
    def describe_item(item_id: str) -> Item:
        return actions.get_item(runtime, item_id)

    return mcp


def serve_stdio(settings) -> None:
    """`python -m service mcp`: load everything, then speak MCP on stdin/stdout."""
    runtime = Runtime(settings)
    runtime.load()
    if runtime.error:
        raise SystemExit(f"could not start: {runtime.error}")
    try:
        build_mcp(runtime).run("stdio")
    finally:
        runtime.stop()
