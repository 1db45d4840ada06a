"""Processes beside the API: the background trainer and the supervisor of several workers."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class TrainerSettings(BaseModel):
    """The background trainer: a low-priority process the server starts, which fits the
    adapted reranker (and the blend) on the catalog's own events and swaps the served
    artifact only when it beats the candidate order on held-out users."""

    enabled: bool = Field(True, description="start the background trainer with `serve`")
    min_users: int = Field(
        50, ge=2, description="users with at least `min_user_events` events before the first run: "
        "each gives one validation and up to three fitting examples; fewer, and validation is noise")
    min_user_events: int = Field(3, ge=2, description="events a user needs to count towards `min_users`")
    settle_s: float = Field(10.0, ge=0, description="wait until no event arrived for this long (a bulk "
                            "load finishes before training starts on it)")
    refit_after_events: int = Field(5000, ge=1, description="refit after this many new events...")
    refit_growth: float = Field(0.2, ge=0, description="...or when the event count grew by this share")
    refit_after_s: float = Field(24 * 3600.0, ge=60, description="...or after this long with any new event")
    poll_s: float = Field(2.0, gt=0, description="how often the trainer looks at the store")
    users: int = Field(2000, ge=10, description="users sampled per split")
    minutes: float = Field(20.0, gt=0, description="time budget of one run (LLM item features get most)")
    llm_features: bool = Field(True, description="compute frozen LLM item features (new items only) and "
                               "offer them to the reranker; served only if they beat the ablation")
    learn_fusion: bool = Field(True, description="choose the history fusion weights on a fit split "
                               "(served with the artifact) instead of keeping the configured ones")
    fit_blend: bool = Field(False, description="also fit the LLM blend (one LLM pass per user). Off: the "
                            "adapted reranker supersedes it for history requests, and its next-item target "
                            "says nothing about text relevance; `train-blend` fits it by hand")
    blend_users: int = Field(100, ge=10, description="users (one LLM pass each) the blend is fitted on")
    threads: int = Field(1, ge=1, description="CPU threads the trainer uses (the server keeps the rest)")
    nice: int = Field(10, ge=0, le=19, description="the trainer process's scheduling niceness")


class ServeSettings(BaseModel):
    """Set by `serve --workers N` for each API process it supervises; not for users."""

    slot: int | None = Field(None, ge=0, description="this API process's place among the supervised workers")
    workers: int = Field(1, ge=1, description="how many API processes the supervisor runs")
    status_dir: Path | None = Field(None, description="where each supervised process reports its state "
                                    "(starting, ready, failed) for the others' /health/ready")
    max_start_failures: int = Field(5, ge=1, description="start-up failures in a row after which "
                                    "`serve --workers N` gives up and exits non-zero with the reason")
    exit_on_start_failure: bool = Field(False, description="a process that cannot load stops (the one-process "
                                        "`serve` exits non-zero) instead of answering 503")
