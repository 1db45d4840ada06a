"""LLM backends behind one protocol (see base.py)."""

from __future__ import annotations

from service.errors import InvalidInput
from service.llm.base import LLMBackend
from service.settings import Settings


def make_backend(settings: Settings) -> LLMBackend | None:
    cfg = settings.llm
    if cfg.backend == "none":
        return None
    if cfg.backend == "llama-cpp":
        from service.llm.llamacpp import LlamaCppBackend
        from service.llm.registry import resolve_model

        path, model_id = resolve_model(cfg.model, settings.models_dir)
        return LlamaCppBackend(path, model_id, n_ctx=cfg.n_ctx, n_threads=cfg.threads,
                               queue_timeout_s=cfg.queue_timeout_ms / 1000)
    if cfg.backend == "openai":
        from service.llm.openai_http import OpenAIBackend

        if not cfg.base_url:
            raise InvalidInput("RECS_LLM__BASE_URL must name the server for the openai backend")
        return OpenAIBackend(cfg.base_url, cfg.model, cfg.api_key)
    raise InvalidInput(f"unknown LLM backend {cfg.backend!r}: use llama-cpp, openai or none")


__all__ = ["LLMBackend", "make_backend"]
