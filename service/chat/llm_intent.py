"""The LLM where words run out: when a request has content words that neither the
grammar nor the catalog vocabulary cover ('zombie movies', a name in another script),
the model picks which value of a small categorical attribute (genres, category, brand:
at most 19 values, so options A..S plus "none") the request means. It scores labels
(`label_logprobs`), so the answer is one of the options by construction.

Off by default (`RECS_CHAT__LLM_VALUES`): on the project's request sets it is measured
against the same pipeline without it (`scripts/eval_chat.py --llm-values`), and kept
only where it helps."""

from __future__ import annotations

import math

from service.prompts import load_prompt
from service.text.vocabulary import Vocabulary

MAX_VALUES = 19


def small_attributes(vocab: Vocabulary) -> dict[str, list[str]]:
    """Categorical attributes with 2..MAX_VALUES values, most common values first."""
    by_attr: dict[str, list[tuple[int, str]]] = {}
    for (attr, value), n in vocab.values.items():
        by_attr.setdefault(attr, []).append((n, value))
    return {a: [v for _n, v in sorted(vs, reverse=True)] for a, vs in by_attr.items() if 2 <= len(vs) <= MAX_VALUES}


class LLMValuePicker:
    def __init__(self, backend, vocab: Vocabulary, min_prob: float = 0.5) -> None:
        self.backend, self.vocab, self.min_prob = backend, vocab, min_prob
        self.prompt = load_prompt("intent_values")

    def pick(self, request: str) -> list[tuple[str, str, float]]:
        """(attribute, value, probability) the model reads in the request, per small
        attribute, where it is at least `min_prob` sure and does not say "none"."""
        out = []
        for attr, values in small_attributes(self.vocab).items():
            labels = self.prompt.labels[: len(values) + 1]
            options = "\n".join(f"{lab}. {v}" for lab, v in zip(labels, [*values, "none of these"]))
            text = self.backend.render_chat(self.prompt.messages(request=request, attribute=attr, options=options))
            lp = self.backend.label_logprobs(text, labels)
            z = math.log(sum(math.exp(v) for v in lp.values()))
            best = max(labels, key=lambda lab: lp[lab])
            prob = math.exp(lp[best] - z)
            idx = labels.index(best)
            if idx < len(values) and prob >= self.min_prob:
                out.append((attr, values[idx], prob))
        return out
