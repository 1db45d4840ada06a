"""Adapted-reranker artifacts on disk: `<root>/<version>/` (trees.npz, llm_head.npz when
the model reads LLM columns, meta.json) and `<root>/CURRENT` naming the served one."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import numpy as np

from service.rerank.adapted.features import ADAPTED_COLUMNS, ADAPTED_LLM_FEATURES
from service.rerank.adapted.model import AdaptedModel
from service.rerank.trees import TreeEnsemble

log = logging.getLogger(__name__)


def save_artifact(model: AdaptedModel, root: Path, make_current: bool = True) -> Path:
    """Write <root>/<version>/ and point <root>/CURRENT at it (atomically), so a
    serving process keeps the previous artifact until this one is complete."""
    root = Path(root)
    final = root / model.version
    tmp = root / f".{model.version}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.model.save(tmp / "trees.npz")
    if model.center is not None:
        np.savez(tmp / "llm_head.npz", center=model.center, head=model.head)
    (tmp / "meta.json").write_text(json.dumps({"features": model.feature_names, **model.meta}, indent=2))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    if not make_current:
        return final
    pointer = root / "CURRENT.partial"
    pointer.write_text(model.version + "\n")
    pointer.replace(root / "CURRENT")
    return final


def load_artifact(directory: Path) -> AdaptedModel:
    directory = Path(directory)
    meta = json.loads((directory / "meta.json").read_text())
    names = meta.pop("features")
    trees = _load_trees(directory)
    center = head = None
    if any(f in ADAPTED_LLM_FEATURES for f in names):
        z = np.load(directory / "llm_head.npz")
        center, head = z["center"], z["head"]
    if trees.n_features != len(names) or not set(names) <= set(ADAPTED_COLUMNS):
        raise ValueError("the trees do not match their feature list")
    return AdaptedModel(trees, names, center, head, meta)


def _load_trees(directory: Path) -> TreeEnsemble:
    if (directory / "trees.npz").exists():
        return TreeEnsemble.load(directory / "trees.npz")
    # written before the trees were exported: convert once (needs scikit-learn)
    import pickle

    log.info("converting %s/model.pkl to trees.npz", directory.name)
    model = TreeEnsemble.from_sklearn(pickle.loads((directory / "model.pkl").read_bytes()))
    model.save(directory / "trees.npz")
    return model


def version_name(model_id: str | None, prompt_ref: str, snapshot: int, stamp: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{model_id or 'nollm'}-{prompt_ref.replace('@', '-')}")
    return f"adapted-{slug}-e{snapshot}-{stamp}"


def list_artifacts(root: Path) -> list[dict]:
    root = Path(root)
    current = (root / "CURRENT").read_text().strip() if (root / "CURRENT").exists() else None
    out = []
    for d in sorted(p for p in root.glob("adapted-*") if p.is_dir()):
        try:
            meta = json.loads((d / "meta.json").read_text())
        except (OSError, ValueError):
            meta = {"error": "meta.json unreadable"}
        out.append({"version": d.name, "current": d.name == current, **{k: v for k, v in meta.items() if k != "features"}})
    return out


def load_current(root: Path) -> tuple[AdaptedModel | None, str]:
    """The artifact CURRENT points at, or None and why (for `reranker_version`)."""
    root = Path(root)
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None, "no adapted reranker trained"
    name = pointer.read_text().strip()
    try:
        return load_artifact(root / name), name
    except Exception as e:  # any unreadable artifact: serve the blend, say so
        log.warning("adapted reranker %s is unreadable (%s: %s); serving without it",
                    name, type(e).__name__, e)
        return None, f"adapted reranker {name} unreadable ({type(e).__name__}); serving without it"
