"""What events mean, what was shown to whom, and A/B tests on live traffic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator


class FeedbackType(BaseModel):
    """What one event type means. `positive`: the person wants more like it, counted with
    `weight`; `negative`: they do not (never a positive anywhere); `neutral`: an exposure,
    kept in the store and counted nowhere; `rating`: positive at or above `threshold`
    (the event's `value` is the rating), negative below it (and without a value)."""

    model_config = {"extra": "forbid"}

    kind: Literal["positive", "negative", "neutral", "rating"]
    weight: float = Field(1.0, gt=0, description="how much a positive counts")
    threshold: float | None = Field(None, description="rating kind only: positive at or above it")


def _default_feedback_types() -> dict[str, FeedbackType]:
    pos = {"view": 1.0, "click": 1.0, "play": 1.0, "add_to_cart": 2.0, "purchase": 3.0, "like": 3.0}
    out = {name: FeedbackType(kind="positive", weight=w) for name, w in pos.items()}
    # every rating counts as a positive by default (threshold 0): read as a next-item signal,
    # a film watched and rated low still says what a person watches next
    # (scripts/eval_feedback.py); RECS_FEEDBACK__RATING_THRESHOLD=3.5 makes low ratings negatives
    out["rating"] = FeedbackType(kind="rating", threshold=0.0)
    out.update({name: FeedbackType(kind="negative") for name in ("dislike", "skip", "hide", "return")})
    out["impression"] = FeedbackType(kind="neutral")
    return out


class FeedbackSettings(BaseModel):
    """Event types and what each means (`RECS_FEEDBACK__TYPES` as a JSON mapping replaces
    the whole table). `unknown`: 'reject' an event of another type (422), or the name of a
    known type to read it as. A negative takes the item out of that person's answers and
    demotes its near neighbours (CF and embedding similarity) by up to `demote`."""

    types: dict[str, FeedbackType] = Field(default_factory=_default_feedback_types, description="type -> "
                                           "{kind: positive|negative|neutral|rating, weight, threshold}")
    unknown: str = Field("reject", description="'reject' events of unknown types, or a known type to read them as")
    rating_threshold: float | None = Field(None, description="overrides the threshold of every rating type: "
                                           "below it a rating is a negative (default 0: every rating is a "
                                           "positive; 3.5 on a 5-point scale reads low ratings as negatives)")
    demote: float = Field(0.25, ge=0, le=1, description="largest share of a candidate's score a negative's "
                          "neighbourhood takes away (0: only the negative item itself is removed; measured: "
                          "[results](results.md#feedback-types-ratings-below-35-as-negatives))")
    demote_semantic_floor: float = Field(0.6, ge=0, lt=1, description="embedding cosine below which an item is "
                                         "no neighbour of a negative")

    @model_validator(mode="after")
    def _check(self) -> "FeedbackSettings":
        if self.unknown != "reject" and self.unknown not in self.types:
            raise ValueError(f"feedback.unknown is 'reject' or a known type ({', '.join(sorted(self.types))}), "
                             f"not {self.unknown!r}")
        if self.rating_threshold is not None:
            self.types = {n: t.model_copy(update={"threshold": self.rating_threshold}) if t.kind == "rating" else t
                          for n, t in self.types.items()}
        for name, t in self.types.items():
            if (t.kind == "rating") != (t.threshold is not None):
                raise ValueError(f"feedback type {name!r}: a threshold goes with kind 'rating', and only with it")
        return self


class ExposureSettings(BaseModel):
    """What was shown to whom. Every answer to a known person is recorded (unless the
    request sends `record_exposure: false`, for previews), and so is every event of a
    neutral type (`impression`: what a client knows was on screen). An item shown `times`
    times with no positive from that person is left out of their feed (requests without
    text) until `cooldown` seconds after it was last shown, so the next visit shows
    something new."""

    times: int = Field(1, ge=0, description="showings without a positive after which an item cools down "
                       "for that person (0: never; exposure is still recorded)")
    cooldown: float = Field(3 * 86400.0, ge=0, description="seconds a cooled item stays out of that person's "
                            "feed after it was last shown")
    keep: int = Field(1000, ge=1, description="exposures kept per person (the oldest go first)")
    explore: float = Field(0.0, ge=0, le=0.5, description="share of a feed page's slots for items the service "
                           "knows little about, chosen by Thompson sampling and marked sources.explore (0.1: 1 of 10; "
                           "0: off)")
    explore_max_known: int = Field(20, ge=1, description="an item is little known while its exposures plus "
                                   "positives stay under this")
    explore_prior_weight: float = Field(4.0, ge=0, description="weight of the model's opinion (rank in this "
                                        "request's candidates) in the bandit's prior, in pseudo-observations")
    explore_refresh_s: float = Field(30.0, gt=0, description="how often exposure counts are read from the store")


class ExperimentSettings(BaseModel):
    """An A/B test of served rankers on live traffic. Setting `name` starts it (unset: none
    runs); people are split between `arms` by a stable hash of (name, user id), and each
    arm ranks its feed answers with its own history fusion weights ({}: the service's own).
    `/metrics` shows per-arm exposures, positives (on items that arm showed that person)
    and positives per exposure with a 95% interval."""

    name: str | None = Field(None, description="the running experiment's name (unset: no experiment)")
    arms: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {"a": {}, "b": {}}, description="arm -> history fusion weights, e.g. "
        '{"a": {}, "b": {"cf": 1.0, "popularity": 0.5}}')

    @model_validator(mode="after")
    def _check(self) -> "ExperimentSettings":
        if len(self.arms) < 2:
            raise ValueError(f"an experiment needs at least two arms, not {sorted(self.arms)}")
        return self
