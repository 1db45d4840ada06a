"""The LLM boundary: one protocol for every backend (in-process llama.cpp, an
OpenAI-compatible server, the scripted fake used by unit tests).

Ranking never parses generated text: `label_logprobs` returns the log-probability of
each label as the next token after the prompt, so the answer is well-formed by
construction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class LLMBackend(Protocol):
    model_id: str

    def render_chat(self, messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        """The model's own chat template applied to messages (plain text if it has none)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def label_logprobs(self, prompt: str, labels: list[str]) -> dict[str, float]:
        """Next-token log-probability of each label after `prompt`, from one forward pass.
        Raises InvalidInput if a label is not a single token for this model."""
        ...

    def generate(self, prompt: str, max_tokens: int = 64, stop: list[str] | None = None,
                 temperature: float = 0.0) -> Iterator[str]:
        """Stream text pieces of a completion."""
        ...

    # Optional: `generate_batch(prompts, max_tokens, stop, temperature)` yielding
    # (prompt index, text piece) and (prompt index, None) when that completion ends,
    # written together (llamacpp.py). `chains.generate_each` gives the same for any backend.


def render_plain(messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
    """Fallback template for base models without a chat template."""
    parts = []
    for m in messages:
        role = m["role"]
        parts.append(m["content"] if role == "system" else f"{role.capitalize()}: {m['content']}")
    text = "\n\n".join(parts)
    return text + ("\n\nAssistant:" if add_generation_prompt else "")
