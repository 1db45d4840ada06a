"""How fast blurbs are written: the model's tokens/s with 1, 2, 5 and 8 parallel
sequences beside the machine's limits, and what a person waits for through the API.

    python scripts/bench_blurbs.py [--requests 12] [--json results/bench_blurbs.json]

1. tokens: blurb prompts of the shipped demo written by `ParallelGenerator` with 1, 2,
   5 and 8 sequences (greedy, 32 tokens each, no stop): prompt and generated tokens/s.
   The limits: a token of one sequence must read every weight once (model bytes /
   memory bandwidth, measured here with a large numpy copy), and every token costs
   2 x parameters FLOPs (measured: float32 matmul FLOP/s with numpy's BLAS).
2. api: a real server on the demo data, once with `RECS_LLM__PARALLEL=1` (blurbs one
   after another, as before) and once with the default (together). English chat
   requests over SSE from users with history: time to the ranked list, to the first
   blurb text (the answer's start, which the service writes), to the first token the
   model wrote, and to the whole reply; blurbs grounded on the first try. Then
   `POST /v1/recommendations` with `explain` (not streamed: its first token is its end).
3. memory: the server's RSS with one model, and with Gemma-3-270M writing Spanish.
Medians and p95 of one run; requests go one after another.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

import httpx
import numpy as np

from service.eval.latency import percentile
from service.local_server import demo_server

ASKS = ["something like {title}", "a movie like {title} but newer", "more films like {title}",
        "I loved {title}, what next?", "recommend me something similar to {title}",
        "a fun movie for tonight", "a thriller please", "a good comedy", "an animated film",
        "a sci-fi movie", "a drama from the 90s", "something romantic"]


def summary(vals: list[float]) -> dict:
    return {"p50": round(statistics.median(vals), 3), "p95": round(percentile(vals, 0.95), 3), "n": len(vals)} if vals else {}


# -- 1. tokens/s ------------------------------------------------------------------------------
def machine_limits() -> dict:
    a = np.ones(256 * 1024 * 1024 // 8)  # 256 MB
    b = np.empty_like(a)
    best = min(_timed(lambda: np.copyto(b, a)) for _ in range(5))
    bandwidth = 2 * a.nbytes / best  # read + write
    m = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    flops = 2 * 1024 ** 3 / min(_timed(lambda: m @ m) for _ in range(5))
    return {"memory_gb_s": round(bandwidth / 1e9, 1), "matmul_gflop_s": round(flops / 1e9, 1)}


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def tokens_part(out: dict) -> None:
    from service.llm import make_backend
    from service.llm.parallel import ParallelGenerator
    from service.prompts import load_prompt
    from service.settings import Settings

    backend = make_backend(Settings())
    prompt = load_prompt("blurb")
    titles = ["Heat (1995)", "Jumanji (1995)", "Casino (1995)", "Sabrina (1995)", "GoldenEye (1995)",
              "Balto (1995)", "Nixon (1995)", "Othello (1995)"]
    prompts = []
    for t in titles:
        v = {"liked": "Alien (1979); Aliens (1986); Blade Runner (1982)", "asked": "recommendations", "item": t,
             "details": "Action, Thriller",
             "evidence": "It shares the action and thriller genres with Alien, which you enjoyed.",
             "anchor": "Alien (1979)", "language": "English"}
        prompts.append(backend.tokenize(backend.render_chat(prompt.messages(**v)) + prompt.prefix("en", **v)))
    gen = ParallelGenerator(backend.llm, n_seq=8)
    rows = []
    list(gen.generate(prompts[:1], 4))  # warm up
    for n in (1, 2, 5, 8):
        # prompts alone (one token each), then the same prompts with 32 tokens each: the
        # difference is the decoding; each run evaluates its whole prompt (no cached prefix)
        gen.prefix = []
        t0 = time.perf_counter()
        list(gen.generate(prompts[:n], 1))
        prompt_s = time.perf_counter() - t0
        gen.prefix = []
        t0 = time.perf_counter()
        first, tokens = None, 0
        for _i, piece in gen.generate(prompts[:n], 32):
            if piece is not None:
                tokens += 1
                first = first or time.perf_counter() - t0
        total = time.perf_counter() - t0
        prompt_tokens = sum(len(p) for p in prompts[:n]) - (n - 1) * len(gen.prefix)
        rows.append({"sequences": n, "prompt_tokens": prompt_tokens, "prompt_s": round(prompt_s, 3),
                     "prompt_tokens_per_s": round(prompt_tokens / prompt_s, 1), "first_token_s": round(first, 3),
                     "generated": tokens, "generated_tokens_per_s": round(max(tokens - n, 1) / (total - prompt_s), 1),
                     "total_s": round(total, 2)})
        print(f"  {n} sequences: prompt {prompt_tokens} tokens in {prompt_s:.2f} s, first token at {first:.2f} s; "
              f"{rows[-1]['generated_tokens_per_s']} generated tokens/s", flush=True)
    size = Path(backend.model_path).stat().st_size
    params = backend.llm._model.n_params()
    lim = machine_limits()
    out["tokens"] = {"model": backend.model_id, "model_bytes": size, "parameters": params, "rows": rows,
                     "limits": {**lim,
                                "one_sequence_tokens_per_s_bandwidth_bound": round(lim["memory_gb_s"] * 1e9 / size, 1),
                                "tokens_per_s_compute_bound": round(lim["matmul_gflop_s"] * 1e9 / (2 * params), 1)}}


# -- 2. through the API -----------------------------------------------------------------------
def sse(http: httpx.Client, body: dict):
    t0 = time.perf_counter()
    with http.stream("POST", "/v1/chat", json={**body, "stream": True}) as r:
        r.raise_for_status()
        event = None
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                yield time.perf_counter() - t0, event, json.loads(line[5:])


def chat_once(http: httpx.Client, user: str, ask: str) -> dict:
    t = {"items": None, "first_text": None, "first_token": None, "done": None}
    attempts: dict[str, int] = {}
    seen_prefix: set[tuple[str, int]] = set()
    sources = {}
    for at, event, body in sse(http, {"user_id": user, "messages": [{"role": "user", "content": ask}], "k": 5}):
        if event == "items" and t["items"] is None:
            t["items"] = at
        elif event == "blurb":
            key = (body["item_id"], body["attempt"])
            attempts[body["item_id"]] = max(attempts.get(body["item_id"], 0), body["attempt"])
            if t["first_text"] is None and body["delta"]:
                t["first_text"] = at
            if key in seen_prefix and t["first_token"] is None and body["delta"]:
                t["first_token"] = at  # the first delta after the answer's start: the model's
            seen_prefix.add(key)
        elif event == "blurb_done":
            sources[body["item_id"]] = (body["source"], body["grounded"])
        elif event == "done":
            t["done"] = at
    llm = list(attempts)
    return {**t, "llm_items": len(llm), "first_try_ok": sum(1 for i in llm if attempts[i] == 1
                                                             and sources.get(i, ("", False))[1]),
            "llm_final": sum(1 for s, g in sources.values() if s == "llm" and g)}


def api_part(out: dict, requests: int) -> None:
    rows = {}
    for label, env in (("one after another (RECS_LLM__PARALLEL=1)", {"RECS_LLM__PARALLEL": "1"}),
                       ("together (default)", {})):
        with demo_server("bench-blurbs-", RECS_TRAINER__ENABLED="false", **env) as (base, _data, _server):
            http = httpx.Client(base_url=base, timeout=300)
            chat_once(http, "600", "a movie please")  # warm up (the model, the caches)
            runs = []
            for n in range(requests):
                user = str(1 + (n * 37) % 600)
                ask = ASKS[n % len(ASKS)]
                if "{title}" in ask:
                    top = http.post("/v1/recommendations", json={"user_id": user, "k": 1, "explain": False,
                                                                 "use_llm": False}).json()["items"]
                    ask = ask.format(title=top[0]["title"]) if top else "a good movie"
                runs.append(chat_once(http, user, ask))
                r = runs[-1]
                print(f"  {label[:8]} {n}: items {r['items']:.2f} s, first token {r['first_token'] or 0:.2f} s, "
                      f"done {r['done']:.2f} s, {r['llm_items']} LLM blurbs", flush=True)
            recs = []
            for n in range(requests):
                user = str(300 + (n * 13) % 300)
                t0 = time.perf_counter()
                body = http.post("/v1/recommendations", json={"user_id": user, "k": 5, "explain": True}).json()
                recs.append({"s": time.perf_counter() - t0,
                             "llm": sum(1 for i in body["items"] if i.get("blurb_source") == "llm")})
        llm_runs = [r for r in runs if r["llm_items"] >= 5]
        rows[label] = {
            "chat_requests": len(runs), "chat_with_5_llm_blurbs": len(llm_runs),
            "items_s": summary([r["items"] for r in runs]),
            "first_blurb_text_s": summary([r["first_text"] for r in runs if r["first_text"]]),
            "first_model_token_s": summary([r["first_token"] for r in runs if r["first_token"]]),
            "whole_reply_s": summary([r["done"] for r in runs]),
            "whole_reply_5_llm_blurbs_s": summary([r["done"] for r in llm_runs]),
            "grounded_first_try": round(sum(r["first_try_ok"] for r in runs) / max(sum(r["llm_items"] for r in runs), 1), 3),
            "recommendations_explain_s": summary([r["s"] for r in recs]),
            "recommendations_llm_blurbs": sum(r["llm"] for r in recs),
        }
    out["api"] = rows


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_part(out: dict) -> None:
    """Server RSS after an English and a Spanish chat (blurbs written), with one model
    and with Gemma-3-270M writing Spanish (`RECS_EXPLAIN__LANGUAGE_MODELS`)."""
    rows = {}
    for label, env in (("SmolLM2 only (default)", {}),
                       ("SmolLM2 + Gemma-3-270M for es",
                        {"RECS_EXPLAIN__LANGUAGE_MODELS": json.dumps({"es": "gemma3-270m-q4_k_m"})})):
        with demo_server("bench-mem-", RECS_TRAINER__ENABLED="false", **env) as (base, _data, server):
            http = httpx.Client(base_url=base, timeout=300)
            before = rss_mb(server.pid)
            en = chat_once(http, "5", "a thriller please")
            es = chat_once(http, "5", "una película de suspense, por favor")
            models = http.get("/v1/models").json()["data"][0]["blurbs"]
            rows[label] = {"rss_ready_mb": round(before), "rss_after_blurbs_mb": round(rss_mb(server.pid)),
                           "blurbs": models, "en_llm_items": en["llm_items"], "es_llm_items": es["llm_items"]}
            print(f"  {label}: RSS {rows[label]['rss_ready_mb']} MB ready, {rows[label]['rss_after_blurbs_mb']} MB "
                  f"after blurbs; {models}", flush=True)
    out["memory"] = rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=12)
    ap.add_argument("--part", choices=["all", "tokens", "api", "memory"], default="all")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    out: dict = {"date": date.today().isoformat()}
    if args.part in ("all", "tokens"):
        tokens_part(out)
    if args.part in ("all", "api"):
        api_part(out, args.requests)
    if args.part in ("all", "memory"):
        memory_part(out)
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
