"""The prompt lab: what a prompt makes the model see (render), what the model writes or
scores with it for one person (run), and two prompts or models side by side on the same
people and items (compare).

Every prompt is built by the code the service runs with it: blurbs by the `Explainer`,
ranking prompts by `LetterLogitReranker`, the chat's value prompts by `LLMValuePicker`.
The lab only records what those build and report; `cli/prompts.py` prints it."""

from service.prompt_lab.lab import Lab, use_of

__all__ = ["Lab", "use_of"]
