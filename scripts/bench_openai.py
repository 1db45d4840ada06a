"""Time to the first streamed chunk of an OpenAI-compatible chat completion, and to the
whole answer, against a real server with the model (the shipped demo catalog).

    python scripts/bench_openai.py [--requests 20] [--json results/bench_openai.json]

The first chunk carries the opening line and the ranked list (`recommendations`); the
blurbs follow, one chunk per item. Requests are sent one after another (no overlap),
with the `openai` client, in four languages."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

import openai

from service.eval.latency import percentile
from service.local_server import demo_server

ASKS = ["a funny animated movie for kids", "une comédie romantique", "una película de terror",
        "我想看一部科幻片", "a war movie but not a drama", "quelque chose comme Toy Story",
        "películas del oeste", "推荐一部纪录片"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=16)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with demo_server("bench-oai-", RECS_TRAINER__ENABLED="false") as (base, _data, _server):
        client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=300)
        client.chat.completions.create(model="llm-recs", messages=[{"role": "user", "content": "warm up"}])
        first, whole, blurbs = [], [], []
        for n in range(args.requests):
            t0 = time.perf_counter()
            t_first = None
            chunks = 0
            stream = client.chat.completions.create(model="llm-recs", stream=True, user=str(1 + n % 50),
                                                    messages=[{"role": "user", "content": ASKS[n % len(ASKS)]}])
            for c in stream:
                if c.choices and c.choices[0].delta.content:
                    chunks += 1
                    if t_first is None:
                        t_first = time.perf_counter() - t0
            whole.append(time.perf_counter() - t0)
            first.append(t_first)
            blurbs.append(chunks - 1)
            print(f"[{n + 1}/{args.requests}] first chunk {t_first:.2f} s, whole {whole[-1]:.2f} s, "
                  f"{chunks - 1} item lines  {ASKS[n % len(ASKS)]}", flush=True)
    out = {"date": date.today().isoformat(), "requests": args.requests,
           "first_chunk_s": {"p50": statistics.median(first), "p95": percentile(first, 0.95)},
           "whole_answer_s": {"p50": statistics.median(whole), "p95": percentile(whole, 0.95)},
           "items_per_answer": statistics.median(blurbs)}
    print(f"{'':<16} {'p50 s':>7} {'p95 s':>7}")
    for k in ("first_chunk_s", "whole_answer_s"):
        print(f"{k:<16} {out[k]['p50']:>7.2f} {out[k]['p95']:>7.2f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
