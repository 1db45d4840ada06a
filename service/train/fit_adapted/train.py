"""One training run: data -> fit and compare -> guard -> artifacts (-> save)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from service.rerank.adapted import AdaptedModel, LLMSide, save_artifact
from service.settings import Settings
from service.store import Store
from service.train.fit_adapted.examples import Progress, build_examples
from service.train.fit_adapted.fit import build_models, compare_variants
from service.train.fit_adapted.guard import choose_variant
from service.train.fit_adapted.options import TrainOptions, TrainReport


@dataclass
class Trained:
    chosen: AdaptedModel
    with_llm: AdaptedModel | None
    without_llm: AdaptedModel
    report: TrainReport
    side: LLMSide | None


def train_reranker(settings: Settings, store: Store, backend=None, opts: TrainOptions = TrainOptions(),
                   progress: Progress | None = None) -> Trained:
    """Fit both variants and choose; writes nothing (see `train_and_save`)."""
    tick = progress or (lambda stage, done, total: None)
    t_start = time.perf_counter()
    report = TrainReport()
    ex = build_examples(settings, store, backend, opts, tick)
    report.seconds.update(ex.seconds)
    report.seeded_vectors, report.examples, report.fusion = ex.seeded_vectors, ex.examples, ex.fusion
    if ex.side is not None:
        report.llm_feature_items = ex.side.coverage

    t = time.perf_counter()
    variants, per = compare_variants(ex, report, opts.seed, opts.learn_exposure)
    report.seconds["fit"] = time.perf_counter() - t
    for name, vals in per.items():
        report.rows[name] = {"validation_ndcg@10": float(vals.mean())}
    choose_variant(report, per, opts.seed, opts.no_llm_reason)

    meta = {"model": backend.model_id if backend else None, "prompt": _prompt_ref(settings), "pool": opts.pool,
            "snapshot_event_id": store.stats().last_event_id}
    built = build_models(ex, variants, report, meta, opts.seed, t_start)
    report.seconds["total"] = time.perf_counter() - t_start
    for r in built.values():
        r.meta["train_seconds"] = round(report.seconds["total"], 1)
    return Trained(built[report.chosen], built.get("adapted"), built["adapted_no_llm"], report, ex.side)


def _prompt_ref(settings: Settings) -> str:
    from service.prompts import load_prompt

    return load_prompt(settings.llm.rank_prompt).ref


def train_and_save(settings: Settings, store: Store, backend=None, opts: TrainOptions = TrainOptions(),
                   progress: Progress | None = None, force: bool = False) -> tuple[Trained, Path]:
    """Train, write the artifact, and make it the served one if validation says it is
    reliably better than the candidate order (or `force`)."""
    trained = train_reranker(settings, store, backend, opts, progress)
    path = save_artifact(trained.chosen, settings.artifacts_dir / "adapted",
                         make_current=trained.report.servable or force)
    return trained, path
