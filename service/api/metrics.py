"""Service metrics beyond Litestar's per-endpoint request histograms. Registered once
per process in prometheus_client's default registry."""

from prometheus_client import Counter, Gauge, Histogram

LLM_SECONDS = Histogram("recs_llm_rerank_seconds", "LLM reranking latency",
                        buckets=(0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10))
RECOMMEND_SECONDS = Histogram("recs_recommend_seconds", "whole recommendation latency",
                              buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5))
FALLBACKS = Counter("recs_rerank_fallbacks_total", "answers served in candidate order", ["reason"])
QUEUE_DEPTH = Gauge("recs_llm_queue_depth", "requests waiting for or using the model")


def reason_kind(reason: str | None) -> str:
    """A bounded label: the first word of the fallback reason."""
    if not reason:
        return "none"
    return reason.split(":")[0].split(" ")[0].lower()[:32]
