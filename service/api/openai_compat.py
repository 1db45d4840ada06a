"""The chat as an OpenAI-compatible endpoint: `POST /v1/chat/completions` and
`GET /v1/models`, so the `openai` SDKs, Open WebUI, LibreChat or LangChain's
`ChatOpenAI` get recommendations from this service's own ranking.

- The assistant message is the recommendation answer: the opening line, then one
  numbered line per item with its blurb, in the person's language (as `POST /v1/chat`).
- `stream: true` gives `chat.completion.chunk` events ending with `data: [DONE]`: the
  opening line as soon as the list is ranked, then each item's line once its blurb is
  final (blurbs are checked before they are shown, so no text is ever taken back).
- The structured result (item ids, scores, sources, blurbs, `understood`, `reranked`,
  `reranker_version`) rides along in `recommendations` (the first chunk when streaming).
- `user` is the user id; `k`, `explain` and `use_llm` may be sent as extra body fields
  (`extra_body` in the SDKs). Other OpenAI parameters are accepted and ignored.
- `usage` counts tokens with the served model's tokenizer (words, without a model).
- Errors have OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_200_OK
from pydantic import BaseModel, ConfigDict, Field

from service.api.request_id import request_id
from service.api import actions
from service.api.runtime import Runtime
from service.chat import Blurb, ChatAnswer, Done, Items, Reply, Turn
from service.api.errors import BUG, answer_for, report_5xx, retry_after
from service.errors import RecsError
from service.text.titles import words_with_spans

log = logging.getLogger(__name__)
MODEL_ID = "llm-recs"


class OAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, top_p, max_tokens ...: accepted, not used
    model: str = MODEL_ID
    messages: list[OAIMessage] = Field(min_length=1, max_length=50)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    user: str | None = Field(None, max_length=256, description="the user id whose history personalises the answer")
    n: int = Field(1, ge=1, le=1, description="one answer per request")
    k: int = Field(5, ge=1, le=20, description="items in the answer (extension)")
    explain: bool = Field(True, description="a blurb per item (extension)")
    use_llm: bool = Field(True, description="rerank and write blurbs with the LLM (extension)")


def oai_error(status: int, message: str, kind: str, code: str | None = None, param: str | None = None,
              headers: dict | None = None) -> Response:
    return Response({"error": {"message": message, "type": kind, "param": param, "code": code}},
                    status_code=status, headers=headers or {})


def _error_handler(request: Request, exc: Exception) -> Response:
    """OpenAI's error envelope over the service's one error table (`api/errors.py`)."""
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        where = ", ".join(f"{e.get('key') or e.get('source')}: {e.get('message')}" for e in extra if isinstance(e, dict))
        return oai_error(400, f"invalid request: {where or exc.detail}", "invalid_request_error")
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        kind = "authentication_error" if exc.status_code == 401 else "invalid_request_error"
        return oai_error(exc.status_code, str(exc.detail), kind)
    a = answer_for(exc) if isinstance(exc, RecsError) else BUG
    if a.retry:
        return oai_error(a.openai_status, str(exc), a.openai_type, a.code, headers=retry_after(exc))
    if a.openai_status < 500:
        return oai_error(a.openai_status, str(exc), a.openai_type, a.code)
    return oai_error(a.openai_status, report_5xx(request, exc, a.openai_status), a.openai_type, a.code)


def _turns(messages: list[OAIMessage]) -> list[Turn]:
    """User and assistant turns (system, developer and tool messages carry no wishes)."""
    return [Turn(m.role, m.text()) for m in messages if m.role in ("user", "assistant") and m.text().strip()]


class _Tokens:
    """Token counts for `usage`: the served model's tokenizer, else words."""

    def __init__(self, backend) -> None:
        self.count = getattr(backend, "count_tokens", None) if backend is not None else None

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        if self.count is not None:
            try:
                return int(self.count(text))
            except Exception:  # a tokenizer error must not fail the answer
                log.debug("token count failed; counting words", exc_info=True)
        return len(words_with_spans(text))


class OpenAIController(Controller):
    path = "/v1"
    tags = ["openai-compatible"]
    # the same handler for every kind, so the app's own (more specific) ones never answer here
    exception_handlers = {RecsError: _error_handler, ValidationException: _error_handler,
                          HTTPException: _error_handler, Exception: _error_handler}

    @get("/models", sync_to_thread=False)
    def models(self, runtime: NamedDependency[Runtime]) -> dict:
        """The one model this service answers as (any `model` value is accepted), with
        what writes its blurbs: the LLM in `llm_languages`, fact sentences in the rest."""
        rec = runtime.recommender
        ex = rec.explainer if rec is not None and rec.backend is not None else None
        blurbs = {"llm": ex.backend.model_id if ex else None, "llm_languages": ex.languages if ex else [],
                  "other_languages": "fact sentences from the history and the catalog"}
        if ex and ex.by_language:
            blurbs["language_models"] = {lang: e.backend.model_id for lang, e in ex.by_language.items()}
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0,
                                            "owned_by": "llm-recs", "blurbs": blurbs}]}

    @post("/chat/completions", status_code=HTTP_200_OK, sync_to_thread=True)
    def completions(self, data: JSONBody[ChatCompletionRequest], request: Request,
                    runtime: NamedDependency[Runtime]) -> Response:
        """OpenAI chat completions, answered with recommendations (see the module doc)."""
        turns = _turns(data.messages)
        plan, run = actions.start_chat(runtime, turns, data.user, data.k, data.explain, data.use_llm)
        tokens = _Tokens(runtime.get().backend)
        prompt_tokens = sum(tokens(t.content) for t in turns)
        cid = f"chatcmpl-{request_id(request.scope) or int(time.time() * 1000)}"
        created = int(time.time())

        def recommendations(out) -> dict:  # the structured result, as /v1/chat gives it
            return actions.chat_response(plan, out, {}, "").model_dump(exclude={"reply"})

        def usage(text: str) -> dict:
            completion = tokens(text)
            return {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
                    "total_tokens": prompt_tokens + completion}

        if not data.stream:
            answer = actions.collect_chat(plan, run)
            return Response({"id": cid, "object": "chat.completion", "created": created, "model": data.model,
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.reply},
                                          "logprobs": None, "finish_reason": "stop"}],
                             "usage": usage(answer.reply), "recommendations": answer.model_dump(exclude={"reply"})})

        def chunk(delta: dict, finish: str | None = None, **extra) -> ServerSentEventMessage:
            body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": data.model,
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}
            return ServerSentEventMessage(data=json.dumps(body, ensure_ascii=False))

        def events() -> Iterator[ServerSentEventMessage]:
            sent: list[str] = []
            try:
                answer = ChatAnswer(plan)
                for ev in run:
                    answer.add(ev)
                    if isinstance(ev, Items):
                        actions.observe(ev.recommendation, True)
                    elif isinstance(ev, Reply):
                        sent.append(ev.text)
                        yield chunk({"role": "assistant", "content": ev.text},
                                    recommendations=recommendations(answer.recommendation))
                    elif isinstance(ev, (Blurb, Done)):  # each numbered line once its blurb is final
                        for line in answer.release(final=isinstance(ev, Done)):
                            sent.append("\n" + line)
                            yield chunk({"content": "\n" + line})
                yield chunk({}, "stop")
                if (data.stream_options or {}).get("include_usage"):
                    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": data.model,
                            "choices": [], "usage": usage("".join(sent))}
                    yield ServerSentEventMessage(data=json.dumps(body))
            except Exception as e:  # already 200: say it in-band, in OpenAI's error shape
                rid = request_id(request.scope)
                log.exception("chat completion stream failed (request id %s)", rid)
                yield ServerSentEventMessage(data=json.dumps({"error": {
                    "message": f"{type(e).__name__}: {e}; request id {rid}", "type": "server_error",
                    "param": None, "code": None}}))
            yield ServerSentEventMessage(data="[DONE]")

        return ServerSentEvent(events())

