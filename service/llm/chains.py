"""LangChain carries the generation chains: our backend is wrapped as a LangChain `LLM`,
so any backend (llama.cpp, an OpenAI-compatible server, the test fake) streams through
the same Runnable interface. Several completions at once (an answer's blurbs) go to
llama.cpp's parallel sequences when the backend has them (`parallel.py`), else through
the chain one after another. Ranking does not go through here: LangChain exposes no
logits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict


class BackendLLM(LLM):
    """A LangChain LLM over one of our backends."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    backend: Any
    max_tokens: int = 48
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llm-recs-backend"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": getattr(self.backend, "model_id", None), "max_tokens": self.max_tokens}

    def _call(self, prompt: str, stop: list[str] | None = None, run_manager=None, **kwargs: Any) -> str:
        return "".join(self._pieces(prompt, stop, **kwargs))

    def _pieces(self, prompt: str, stop: list[str] | None, **kwargs: Any) -> Iterator[str]:
        yield from self.backend.generate(prompt, max_tokens=kwargs.get("max_tokens", self.max_tokens), stop=stop,
                                         temperature=kwargs.get("temperature", self.temperature))

    def _stream(self, prompt: str, stop: list[str] | None = None, run_manager=None,
                **kwargs: Any) -> Iterator[GenerationChunk]:
        for piece in self._pieces(prompt, stop, **kwargs):
            chunk = GenerationChunk(text=piece)
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def generation_chain(render: Callable[[dict], str], backend, max_tokens: int, temperature: float = 0.0,
                     stop: list[str] | None = None) -> Runnable:
    """values -> rendered prompt (the model's chat template + answer prefix) -> streamed text."""
    llm = BackendLLM(backend=backend, max_tokens=max_tokens, temperature=temperature)
    return RunnableLambda(render) | (llm.bind(stop=stop) if stop else llm)


def generate_each(backend, prompts: list[str], max_tokens: int = 64, stop: list[str] | None = None,
                  temperature: float = 0.0) -> Iterator[tuple[int, str | None]]:
    """Completions of several prompts as (index, piece), and (index, None) at each end:
    together when the backend can (`generate_batch`), else one after another."""
    batch = getattr(backend, "generate_batch", None)
    if callable(batch):
        yield from batch(prompts, max_tokens, stop, temperature)
    else:
        yield from one_after_another(backend, prompts, max_tokens, stop, temperature)


def one_after_another(backend, prompts: list[str], max_tokens: int = 64, stop: list[str] | None = None,
                      temperature: float = 0.0) -> Iterator[tuple[int, str | None]]:
    for i, prompt in enumerate(prompts):
        chain = generation_chain(lambda _v, p=prompt: p, backend, max_tokens, temperature, stop)
        for piece in chain.stream({}):
            yield i, piece
        yield i, None
