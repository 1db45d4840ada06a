"""One lab session: the recommender on the data dir and the models asked for. Names given
on the command line are checked here, so a mistyped prompt, user, item or model is a
one-line `InvalidInput` that says what to use instead (exit code 2), never a traceback
from deep inside a stage that was handed something it cannot use."""

from __future__ import annotations

import os
from pathlib import Path

from service.errors import InvalidInput, NotFound
from service.llm import LLMBackend, make_backend
from service.llm.cpu import CpuShare, process_cpu
from service.llm.scheduler import ModelScheduler, ScheduledBackend, ThreadPolicy
from service.prompts import PromptFile, list_prompts, load_prompt
from service.settings import Settings
from service.types import Item

# What reads each prompt, told apart by kind and variables (`use_of`).
USES = {
    "blurb": "blurbs: one sentence per recommended item (service/explain/blurbs.py)",
    "listwise": "the listwise reranker: a label score per candidate (service/rerank/listwise.py)",
    "values": "chat: which catalog value a request means (service/chat/llm_intent.py)",
}
_VARIABLES = {"listwise": {"history", "candidates"}, "values": {"request", "attribute", "options"}}


def use_of(prompt: PromptFile) -> str:
    """'blurb', 'listwise' or 'values': the part of the service that reads `prompt`."""
    if prompt.kind == "generate":
        return "blurb"
    for use, names in _VARIABLES.items():
        if prompt.kind == "rank" and set(prompt.variables) == names:
            return use
    raise InvalidInput(f"{prompt.ref}: nothing in the service reads a {prompt.kind} prompt with variables "
                       f"{', '.join(prompt.variables)}; rank prompts take history and candidates (or request, "
                       "attribute and options), generate prompts are blurbs")


def prompt_named(name: str) -> PromptFile:
    try:
        return load_prompt(name)
    except NotFound:
        raise InvalidInput(f"no prompt {name!r}: use one of {', '.join(list_prompts())} "
                           "(python -m service prompts list)") from None


def setting_env(section: str, name: str) -> str:
    """The environment variable of a nested setting, e.g. RECS_LLM__TEXT_CHARS."""
    cfg = Settings.model_config
    return f"{cfg['env_prefix']}{section}{cfg['env_nested_delimiter']}{name}".upper()


def with_model(settings: Settings, model: str | None) -> Settings:
    """`settings` with `model` (a registry name or a .gguf path) loaded in process."""
    if not model:
        return settings
    from service.llm.registry import known_models

    if model not in known_models() and not model.endswith(".gguf"):
        raise InvalidInput(f"unknown model {model!r}: use one of {', '.join(known_models())} or a .gguf path "
                           "(python -m service models)")
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"backend": "llama-cpp",
                                                                               "model": model})})


def language(lang: str) -> str:
    """A language blurbs are written in."""
    from service.text.language import NAMES

    if lang not in NAMES:
        raise InvalidInput(f"blurbs are written in {', '.join(NAMES)}, not {lang!r}")
    return lang


def others_cpu() -> float | None:
    """CPU seconds the machine's other processes have used (Linux: /proc/stat less this
    process; None elsewhere)."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    own = process_cpu(os.getpid())
    return None if own is None else (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK") - own


class Lab:
    def __init__(self, settings: Settings, rec, scheduler: ModelScheduler, policy: ThreadPolicy) -> None:
        self.settings, self.rec = settings, rec
        self.scheduler, self.policy = scheduler, policy
        self._backends: dict[str, LLMBackend] = {settings.llm.model: rec.backend}

    @classmethod
    def open(cls, settings: Settings, model: str | None = None) -> Lab:
        """The recommender with `model` (default: the configured one). Model calls go
        through the service's scheduler, with a thread policy that watches the other
        processes: llama.cpp's threads wait for each other, so where another process
        keeps one of two cores busy, two threads write blurbs 3-4x slower than one
        (measured with `prompts compare` on the demo). A lab is one person at a
        keyboard: no nice increment, since there are no requests to give way to."""
        from service.pipeline import Recommender

        settings = with_model(settings, model)
        backend = make_backend(settings)
        if backend is None:
            raise InvalidInput(f"prompts need a model and {setting_env('llm', 'backend')} is 'none': "
                               "set it to llama-cpp (the default) or openai")
        scheduler = ModelScheduler()
        policy = ThreadPolicy(settings.llm.threads, busy_share=0.5, cpu=CpuShare(others_cpu, 0.1))
        return cls(settings, Recommender(settings, backend=ScheduledBackend(backend, scheduler, policy)),
                   scheduler, policy)

    @property
    def model(self) -> str:
        return self.settings.llm.model

    def backend(self, model: str | None = None) -> LLMBackend:
        """The model `model` (None: the recommender's), loaded once per lab."""
        model = model or self.model
        if model not in self._backends:
            backend = make_backend(with_model(self.settings, model))
            assert backend is not None  # with_model always names an in-process model
            self._backends[model] = ScheduledBackend(backend, self.scheduler, self.policy)
        return self._backends[model]

    def user(self, user_id: str | None, needed_for: str | None = None) -> str | None:
        """`user_id`, checked to have events; a missing one is an error when `needed_for` says why."""
        if not user_id:
            if needed_for is None:
                return None
            raise InvalidInput(f"{needed_for}: add --user (someone with events, e.g. --user {self._some_user()})")
        if not self.rec.store.has_user(user_id):
            raise InvalidInput(f"no user {user_id!r} in {self.settings.data_dir}: use the id of a person with events "
                               f"(e.g. --user {self._some_user()}), or import data first")
        return user_id

    def item(self, item_id: str) -> Item:
        item = self.rec.store.get_item(item_id)
        if item is None:
            raise InvalidInput(f"no item {item_id!r} in the catalog of {self.settings.data_dir}: use an item id "
                               "(python -m service recommend --user ID --no-llm lists some)")
        return item

    def _some_user(self) -> str:
        events = self.rec.store.iter_events()
        first = next(events, None)
        getattr(events, "close", lambda: None)()
        return first[0] if first is not None else "ID"
