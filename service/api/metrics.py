"""Service metrics beyond Litestar's per-endpoint request histograms. Registered once
per process in prometheus_client's default registry; under `serve --workers N`
(PROMETHEUS_MULTIPROC_DIR set before the workers start) every worker writes its samples
to that folder and any worker's `/metrics` answers with the sum over all of them."""

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

LLM_SECONDS = Histogram("recs_llm_rerank_seconds", "LLM reranking latency",
                        buckets=(0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10))
RECOMMEND_SECONDS = Histogram("recs_recommend_seconds", "whole recommendation latency",
                              buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5))
FALLBACKS = Counter("recs_rerank_fallbacks_total", "answers served in candidate order, by reason "
                    "(service.rerank.base.Fallback)", ["reason"])
EXPERIMENT_EXPOSURES = Counter("recs_experiment_exposures_total", "items shown by each experiment arm "
                               "(recorded answers)", ["experiment", "arm"])
EXPERIMENT_POSITIVES = Counter("recs_experiment_positives_total", "positive events on items the person's "
                               "arm showed them", ["experiment", "arm"])
QUEUE_DEPTH = Gauge("recs_llm_queue_depth", "requests waiting for or using the model",
                    multiprocess_mode="livesum")



class TrainerCollector:
    """The background trainer's state, read from its status file at scrape time."""

    def __init__(self) -> None:
        self.source = None  # () -> dict | None, set by the runtime

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        status = self.source() if self.source else None
        if not status:
            return
        state = GaugeMetricFamily("recs_trainer_state", "the background trainer's state (1 = current)",
                                  labels=["state"])
        state.add_metric([str(status.get("state"))], 1.0)
        yield state
        yield GaugeMetricFamily("recs_trainer_runs", "training runs finished", value=status.get("runs", 0))
        yield GaugeMetricFamily("recs_trainer_failed_runs", "training runs that failed (the reason is "
                                "trainer.last_error in /health/ready)", value=status.get("failed_runs", 0))
        if status.get("last_error"):
            yield GaugeMetricFamily("recs_trainer_last_error_timestamp_seconds", "when a run last failed",
                                    value=status["last_error"]["at"])
        if status.get("events_to_next_run") is not None:
            yield GaugeMetricFamily("recs_trainer_events_to_next_run", "new events until the next refit",
                                    value=status["events_to_next_run"])
        if status.get("features_missing") is not None:
            yield GaugeMetricFamily("recs_trainer_llm_features_missing", "items without LLM item features",
                                    value=status["features_missing"])
        run = status.get("last_run") or {}
        if run.get("finished_ts"):
            yield GaugeMetricFamily("recs_trainer_last_run_timestamp_seconds", "when the last run finished",
                                    value=run["finished_ts"])
        if run.get("seconds") is not None:
            yield GaugeMetricFamily("recs_trainer_last_run_seconds", "how long the last run took",
                                    value=run["seconds"])
        examples = GaugeMetricFamily("recs_trainer_examples", "examples with the target in the pool, per split",
                                     labels=["split"])
        for split, n in (run.get("examples") or {}).items():
            examples.add_metric([split], n)
        yield examples
        ndcg = GaugeMetricFamily("recs_trainer_validation_ndcg10", "validation NDCG@10 of the last run, "
                                 "per variant", labels=["variant"])
        for variant, row in (run.get("validation") or {}).items():
            ndcg.add_metric([variant], row.get("validation_ndcg@10", 0.0))
        yield ndcg
        if status.get("served_artifact"):
            served = GaugeMetricFamily("recs_reranker_served_info", "the adapted reranker artifact served",
                                       labels=["version"])
            served.add_metric([status["served_artifact"]], 1.0)
            yield served


class ExperimentCollector:
    """Positives per exposure of each experiment arm with its 95% Wilson interval, from the
    counters' samples (this process's, or every worker's summed)."""

    def __init__(self, source) -> None:
        self.source = source  # () -> metric families holding the two counters

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        from service.exposure.experiment import wilson

        totals: dict[tuple[str, str], list[float]] = {}
        for family in self.source():
            for s in family.samples:
                key = (s.labels.get("experiment"), s.labels.get("arm"))
                if s.name == "recs_experiment_exposures_total":
                    totals.setdefault(key, [0.0, 0.0])[0] += s.value
                elif s.name == "recs_experiment_positives_total":
                    totals.setdefault(key, [0.0, 0.0])[1] += s.value
        if not totals:
            return
        families = {name: GaugeMetricFamily(f"recs_experiment_{name}", doc, labels=["experiment", "arm"])
                    for name, doc in (("rate", "positives per exposure"),
                                      ("rate_low", "95% Wilson interval, lower end"),
                                      ("rate_high", "95% Wilson interval, upper end"))}
        for (experiment, arm), (shown, positives) in sorted(totals.items()):
            for name, v in zip(("rate", "rate_low", "rate_high"), wilson(min(positives, shown), shown)):
                families[name].add_metric([experiment, arm], v)
        yield from families.values()


TRAINER = TrainerCollector()
try:
    REGISTRY.register(ExperimentCollector(lambda: [*EXPERIMENT_EXPOSURES.collect(), *EXPERIMENT_POSITIVES.collect()]))
except ValueError:
    pass
try:
    REGISTRY.register(TRAINER)
except ValueError:  # already registered in this process
    pass


def registry():
    """What `/metrics` shows: this process's registry, or with several workers the sum of
    every worker's samples plus the trainer's state (one status file, the same for all)."""
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    merged = CollectorRegistry()
    workers = multiprocess.MultiProcessCollector(merged)
    merged.register(TRAINER)
    merged.register(ExperimentCollector(workers.collect))
    return merged


def process_exited() -> None:
    """A worker stopping: its live gauges (queue depth, requests in progress) stop counting."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())
