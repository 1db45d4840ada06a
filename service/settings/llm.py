"""The model and what it is used for: reranking, blurbs (explain) and chat understanding."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ExplainSettings(BaseModel):
    """Blurbs: one short personal reason per recommended item, written by the LLM from
    a prompt file, checked for grounding, cached, and replaced by facts when needed."""

    prompt: str = Field("blurb", description="the blurb prompt (a file in prompts/)")
    max_items: int = Field(5, ge=0, le=20, description="LLM blurbs for the top N; the rest get facts")
    liked_min_rating: float = Field(3.5, description="a rated history item a reason may call enjoyed needs at "
                                    "least this rating (ratings below it still count for ranking)")
    max_tokens: int = Field(48, ge=8, le=200, description="most tokens the model may write for one blurb")
    budget_ms: int = Field(15000, ge=0, description="total LLM time for one answer's blurbs")
    cache_size: int = Field(4096, ge=0, description="blurbs kept in memory, least recently used out first; "
                            "0 writes every blurb anew")
    llm_languages: list[str] = Field(
        default_factory=list,
        description="languages the model phrases reasons in; the others get the evidence sentence in the "
                    "person's language. None by default (the evidence sentence measured better and faster: "
                    "[prompts](prompts.md#measured-before-and-after)); [\"en\"] lets it phrase English")
    language_models: dict[str, str] = Field(
        default_factory=dict,
        description='a model of its own per language, e.g. {"es": "gemma3-270m-q4_k_m"} (pip install '
                    '"llm-recs[multilingual]"): it writes that language\'s blurbs with its registry prompt '
                    "(blurb_prompt), on the same model queue. Measured: scripts/eval_blurb_languages.py")


class ChatSettings(BaseModel):
    """Chat understanding beyond the deterministic grammar and vocabulary."""

    llm_values: bool = Field(
        False, description="when a request has content words nothing else covers, let the LLM pick which "
        "value of a small categorical attribute it means (label logits). Off: not shown to help "
        "([results](results.md#judged-item-by-item))")
    llm_values_min_prob: float = Field(0.5, ge=0, le=1, description="how sure the model must be of a value "
                                       "(its label probability) for the chat to take it")
    currency: str = Field("auto", description="the currency of the catalog's prices (an ISO code of the "
                          "lexicon's currencies, e.g. USD), so a budget in another one is converted ('2000元' "
                          "-> about 280 USD); auto: what most item texts write next to a number, else yuan for a "
                          "catalog written in Chinese and dollars for any other; none: never convert")
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

    backend: Literal["llama-cpp", "openai", "none"] = Field(
        "llama-cpp", description="llama-cpp (in process), openai (an OpenAI-compatible server at base_url), or "
        "none (candidate order only)")
    model: str = Field("smollm2-135m-instruct-q4_1", description="registry name or .gguf path")
    base_url: str | None = Field(None, description="the OpenAI-compatible server's URL (backend openai)")
    api_key: str | None = Field(None, description="its API key, if it needs one")
    n_ctx: int = Field(2048, description="context tokens of the in-process model (rank prompts)")
    threads: int = Field(2, description="CPU threads of the in-process model")
    parallel: int = Field(8, ge=1, le=16, description="completions written together (an answer's blurbs): "
                          "llama.cpp's parallel sequences in one batch, or concurrent requests to an "
                          "OpenAI-compatible server; 1: one after another")
    parallel_ctx: int = Field(4096, ge=512, description="tokens of the context those sequences share")
    rank_prompt: str = Field("rank_listwise", description="the rank prompt (a file in prompts/)")
    candidates: int = Field(20, description="candidates the LLM reranks")
    orders: int = Field(1, description="candidate orders averaged against position bias")
    history_items: int = Field(5, description="the person's latest items shown in rank and blurb prompts")
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
        "fitted. Off: an untrained service answers in candidate order without an LLM pass (zero-shot scores "
        "measured worse: [results](results.md#zero-shot-llm-reranking))")
