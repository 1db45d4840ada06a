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
                               queue_timeout_s=cfg.queue_timeout_ms / 1000, parallel=cfg.parallel,
                               parallel_ctx=cfg.parallel_ctx)
    if cfg.backend == "openai":
        from service.llm.openai_http import OpenAIBackend

        if not cfg.base_url:
            raise InvalidInput("RECS_LLM__BASE_URL must name the server for the openai backend")
        return OpenAIBackend(cfg.base_url, cfg.model, cfg.api_key, parallel=cfg.parallel)
    raise InvalidInput(f"unknown LLM backend {cfg.backend!r}: use llama-cpp, openai or none")


def make_scheduled_backend(settings: Settings) -> LLMBackend | None:
    """The backend a serving process uses: every model call through one prioritised,
    bounded queue (`scheduler.py`)."""
    from service.llm.scheduler import ModelScheduler, ScheduledBackend, ThreadPolicy

    backend = make_backend(settings)
    if backend is None:
        return None
    scheduler = ModelScheduler(max_queue=max(4, settings.llm.max_queue * 4), nice=settings.llm.nice)
    threads = ThreadPolicy(settings.llm.threads) if settings.llm.adaptive_threads else None
    return ScheduledBackend(backend, scheduler, threads)


def language_backends(settings: Settings, main: LLMBackend) -> dict[str, tuple[LLMBackend, str]]:
    """language -> (its own model, the blurb prompt it writes with), for
    `explain.language_models`; in a serving process they share the main model's queue,
    so two models never run at once."""
    from service.llm.registry import blurb_prompt
    from service.llm.scheduler import ScheduledBackend

    made: dict[str, LLMBackend] = {}
    out = {}
    for lang, name in settings.explain.language_models.items():
        if name not in made:
            inner = make_backend(settings.model_copy(update={"llm": settings.llm.model_copy(
                update={"backend": "llama-cpp", "model": name})}))
            made[name] = (ScheduledBackend(inner, main.scheduler, main.policy)
                          if isinstance(main, ScheduledBackend) else inner)
        out[lang] = (made[name], blurb_prompt(name))
    return out


__all__ = ["LLMBackend", "language_backends", "make_backend", "make_scheduled_backend"]
