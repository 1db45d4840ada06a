"""Resolve a model name from `models/registry.yaml` (or a plain GGUF path) to a file."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import yaml

from service.errors import NotReady

REGISTRY = Path(__file__).resolve().parents[2] / "models" / "registry.yaml"


def known_models() -> dict[str, dict]:
    return yaml.safe_load(REGISTRY.read_text()) or {}


def resolve_model(name: str) -> tuple[str, str]:
    """(path, model_id) for a registry name or a path to a .gguf file."""
    if name.endswith(".gguf"):
        path = Path(name).expanduser()
        if not path.exists():
            raise NotReady(f"model file {path} does not exist")
        return str(path), path.stem
    models = known_models()
    if name not in models:
        raise NotReady(f"unknown model {name!r}; known: {', '.join(models)} (or give a .gguf path)")
    entry = models[name]
    try:
        root = importlib.resources.files(entry["package"])
    except ModuleNotFoundError as e:
        pip_name = entry["package"].replace("_", "-")
        raise NotReady(f"model {name!r} needs `pip install {pip_name}`") from e
    matches = [p for p in root.iterdir() if p.name == entry["file"]] or \
              [p for p in root.iterdir() if p.name.endswith(".gguf")]
    if not matches:
        raise NotReady(f"package {entry['package']} has no {entry['file']}")
    return str(matches[0]), name
