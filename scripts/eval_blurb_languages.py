"""Which model writes blurbs in which language: each candidate model and prompt against
fact sentences, scored by the grounding check (which includes the language check) on
the first try, on a held-back set of users of the shipped demo.

    python scripts/eval_blurb_languages.py [--users 10] [--json results/eval_blurb_languages.json]

For each sampled user (seed 7: not the users the prompts were written with), the top 5
no-LLM recommendations; for each model x language, the Explainer writes their blurbs
exactly as the service does (the cache off, that language switched on for the LLM).
Reported: the share that passed the check on the first try, the share that ended as
an LLM blurb (after one regeneration), why the others failed, seconds per answer; and
the same check run on the fact sentences the service would show instead. The service
writes a language with an LLM only where its first-try rate reaches `--bar` (0.7).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from service.explain import Blurb, Explainer
from service.explain.grounding import check
from service.llm.llamacpp import LlamaCppBackend
from service.llm.registry import resolve_model
from service.pipeline import Recommender
from service.settings import Settings
from service.types import CandidateRequest

ROOT = Path(__file__).resolve().parent.parent


class FirstTries:
    """A call log that keeps the check's verdict on each item's first attempt."""

    def __init__(self) -> None:
        self.verdicts: dict[str, str] = {}

    def record(self, kind, prompt_ref, rendered, result, **kw) -> None:
        self.verdicts.setdefault(rendered, result["check"])


MODELS = {"smollm2": ("smollm2-135m-instruct-q4_1", "blurb"), "gemma": ("gemma3-270m-q4_k_m", "blurb_fewshot")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--models", default="smollm2,gemma")
    ap.add_argument("--languages", default="en,fr,es,zh")
    ap.add_argument("--bar", type=float, default=0.7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="blurb-langs-"))
    base = Settings(data_dir=tmp / "data")
    subprocess.run([sys.executable, "-m", "service", "import", "--format", "movielens-csv", "--path",
                    str(ROOT / "data/demo/ml-latest-small")], check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                   env={**__import__("os").environ, "RECS_DATA_DIR": str(tmp / "data")})
    rec = Recommender.open(base, with_llm=False)
    rec.build_index()
    counts = Counter(u for u, *_ in rec.store.iter_events())
    users = sorted(u for u, c in counts.items() if c >= 20)
    users = random.Random(args.seed).sample(users, min(args.users, len(users)))
    cases = [(u, rec.history(u), rec.recommend(CandidateRequest(user_id=u, k=5))) for u in users]
    langs = [x for x in args.languages.split(",") if x]
    out: dict = {"date": date.today().isoformat(), "users": users, "bar": args.bar, "rows": []}

    facts = Explainer(rec.catalog, None, base)
    for lang in langs:
        passed = total = 0
        for _u, hist, items in cases:
            for b in facts.explain(items, hist, lang):
                if isinstance(b, Blurb):
                    allowed = set(hist) | {b.item_id}
                    total += 1
                    passed += check(b.text, allowed=allowed, titles=facts.titles(), language=lang, prompt="") is None
        out["rows"].append({"model": "facts", "language": lang, "blurbs": total, "first_try": passed / max(total, 1)})
        print(f"facts {lang}: {passed}/{total} pass the check", flush=True)

    for name in [m for m in args.models.split(",") if m]:
        reg, prompt = MODELS[name]
        path, model_id = resolve_model(reg, base.models_dir)
        backend = LlamaCppBackend(path, model_id, n_threads=2, parallel=8)
        for lang in langs:
            s = base.model_copy(update={"explain": base.explain.model_copy(
                update={"prompt": prompt, "llm_languages": [lang], "cache_size": 0, "budget_ms": 600000})})
            ex = Explainer(rec.catalog, backend, s)
            first, final, n, secs, why, samples = 0, 0, 0, [], Counter(), []
            for _u, hist, items in cases:
                t = time.perf_counter()
                log = FirstTries()
                for b in ex.explain(items, hist, lang, calllog=log):
                    if not isinstance(b, Blurb) or b.first_try is None:
                        continue
                    n += 1
                    first += bool(b.first_try)
                    final += b.source == "llm"
                    if b.source == "llm" and len(samples) < 3:
                        samples.append(b.text)
                secs.append(time.perf_counter() - t)
                why.update(v.split(":")[0] for v in log.verdicts.values() if v != "ok")
            row = {"model": model_id, "prompt": ex.prompt.ref, "language": lang, "blurbs": n,
                   "first_try": round(first / max(n, 1), 3), "llm_final": round(final / max(n, 1), 3),
                   "seconds_per_answer_p50": round(statistics.median(secs), 2), "first_try_failures": dict(why),
                   "examples": samples, "serve": first / max(n, 1) >= args.bar}
            out["rows"].append(row)
            print(f"{model_id} {lang}: first try {row['first_try']:.2f}, LLM in the end {row['llm_final']:.2f}, "
                  f"{row['seconds_per_answer_p50']} s/answer; {dict(why)}", flush=True)
            for e in samples[:2]:
                print(f"    {e}")
    print(f"\n{'model':<36} {'lang':<5} {'1st try':>8} {'LLM end':>8} {'s/answer':>9}")
    for r in out["rows"]:
        print(f"{r['model']:<36} {r['language']:<5} {r['first_try']:>8.2f} {r.get('llm_final', 1.0):>8.2f} "
              f"{r.get('seconds_per_answer_p50', 0):>9}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
