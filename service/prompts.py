"""Prompts are data: YAML files in `prompts/` with a name, a version, declared
variables and a LangChain template. A file whose template uses a variable it does not
declare (or declares one it never uses) is rejected at load time, naming the variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel, Field, model_validator

from service.assets import asset
from service.errors import InvalidInput, NotFound

PROMPTS_DIR = asset("prompts")


class PromptFile(BaseModel):
    name: str
    version: int
    kind: str = Field(description="rank | generate")
    description: str = ""
    variables: list[str]
    system: str | None = None
    template: str
    labels: list[str] = Field(default_factory=list)
    answer_prefix: dict[str, str] = Field(
        default_factory=dict, description="per language: text the model's answer starts with (it continues it)")
    chat: bool = Field(True, description="wrap in the model's chat template; false: the template is the whole "
                       "prompt (few-shot prompts for base models)")

    @model_validator(mode="after")
    def _check(self) -> "PromptFile":
        used = set(PromptTemplate.from_template(self.template).input_variables)
        for prefix in self.answer_prefix.values():
            used |= set(PromptTemplate.from_template(prefix).input_variables)
        declared = set(self.variables)
        if used - declared:
            raise ValueError(f"template uses undeclared variable(s): {', '.join(sorted(used - declared))}")
        if declared - used:
            raise ValueError(f"declared variable(s) never used: {', '.join(sorted(declared - used))}")
        if self.kind == "rank" and len(set(self.labels)) < 2:
            raise ValueError("a rank prompt needs at least two distinct labels")
        return self

    @property
    def ref(self) -> str:
        return f"{self.name}@v{self.version}"

    def render(self, **values: str) -> str:
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise InvalidInput(f"prompt {self.ref} needs variable(s): {', '.join(missing)}")
        template = PromptTemplate.from_template(self.template)
        return template.format(**{v: values[v] for v in template.input_variables})

    def prefix(self, lang: str, **values: str) -> str:
        text = self.answer_prefix.get(lang) or self.answer_prefix.get("en", "")
        return PromptTemplate.from_template(text).format(**values) if text else ""

    def full_text(self, backend, lang: str, **values: str) -> tuple[str, str]:
        """(the whole prompt a generation continues, the answer prefix it ends with)."""
        prefix = self.prefix(lang, **values)
        body = backend.render_chat(self.messages(**values)) if self.chat else self.render(**values)
        return body + prefix, prefix

    def messages(self, **values: str) -> list[dict[str, str]]:
        msgs = [{"role": "system", "content": self.system}] if self.system else []
        return msgs + [{"role": "user", "content": self.render(**values)}]


def load_prompt_file(path: Path) -> PromptFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PromptFile(**data)
    except (yaml.YAMLError, TypeError, ValueError) as e:
        raise InvalidInput(f"prompt file {path.name}: {e}") from e


@lru_cache(maxsize=64)
def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> PromptFile:
    path = folder / f"{name}.yaml"
    if not path.exists():
        raise NotFound(f"no prompt {name!r} in {folder} (have: {', '.join(list_prompts(folder))})")
    return load_prompt_file(path)


def list_prompts(folder: Path = PROMPTS_DIR) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))
