"""Reasons against their evidence, per language: empty praise, claims outside the
evidence, naming the history item that contributed most, stating a property the item
really shares with a history item it names, the language, latency.

Two steps, so any version of the service can be measured the same way:

    # write reasons with the service on PYTHONPATH (an older checkout works too: this
    # step uses only the Explainer's public interface)
    python scripts/eval_reasons.py write --variant shipped --languages en,fr,es,zh \\
        --users 20 --out results/eval_reasons/reasons_before_shipped.jsonl
    # score them with this checkout's evidence (service/explain/evidence.py, audit.py)
    python scripts/eval_reasons.py score results/eval_reasons/reasons_before_shipped.jsonl --json results/eval_reasons_before.json

Variants: `shipped` (the explainer as configured: the LLM in `llm_languages`, evidence
sentences elsewhere), `llm` (the LLM writes every language asked), `facts` (evidence
sentences only, no model). The people are the prompt lab's sample (20+ events, seed 0);
the items their top k as the service ranks them. The LLM's first attempt is kept
too (`first`), so the model's own phrasing is scored next to what was finally shown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

RATES = ("claim_outside_evidence", "empty_praise", "wrong_medium", "names_history", "names_top",
         "states_shared_property", "shared_and_clean", "in_language", "english_aside")


class _FirstTries:
    """A call log that keeps each prompt's first attempt (text and check)."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[str, str]] = {}

    def record(self, kind, prompt_ref, rendered, result, **kw) -> None:
        self.first.setdefault(rendered, (result["text"], result["check"]))

    def first_for(self, title: str) -> str | None:
        """The first attempt for the prompt whose recommended item is `title`."""
        from service.text.titles import display

        for rendered, (text, _check) in self.first.items():
            if display(title) in rendered.rsplit("Recommended", 1)[-1]:
                return text
        return None


def write(args) -> None:
    from service.explain import Blurb, Explainer
    from service.pipeline import Recommender
    from service.prompt_lab.compare import sample_people
    from service.settings import Settings
    from service.types import CandidateRequest

    settings = Settings()
    rec = Recommender.open(settings, with_llm=args.variant != "facts")
    users = sample_people(rec.store, args.users, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # appended answer by answer: a stopped run keeps what it wrote, and the same command
    # run again goes on with the people it has not written yet
    done = set()
    if args.out.exists():
        done = {(r["variant"], r["language"], r["user"]) for r in map(json.loads, args.out.read_text("utf-8").splitlines())}
    out = args.out.open("a", encoding="utf-8")
    n = 0
    for lang in args.languages.split(","):
        if args.variant == "facts":
            ex = rec.facts_explainer
        elif args.variant == "llm":
            ex = Explainer(rec.catalog, rec.backend, settings, args.prompt, [lang])
        else:
            ex = rec.explainer.for_language(lang)
        ex.cfg = ex.cfg.model_copy(update={"cache_size": 0})
        for user in users:
            if (args.variant, lang, user) in done:
                continue
            items = rec.recommend_full(CandidateRequest(user_id=user, k=args.k), use_llm=False).items
            log = _FirstTries()
            t0, first_event, finals = time.perf_counter(), {}, {}
            for ev in ex.explain(items, rec.liked(user), lang, user_id=user, calllog=log):
                first_event.setdefault(ev.item_id, time.perf_counter() - t0)
                if isinstance(ev, Blurb):
                    finals[ev.item_id] = (ev, time.perf_counter() - t0)
            for r in items:
                b, at = finals.get(r.item_id, (None, None))
                if b is None:
                    continue
                n += 1
                out.write(json.dumps({"user": user, "item_id": r.item_id, "title": r.title, "language": lang,
                             "variant": args.variant, "text": b.text, "source": b.source, "note": b.note,
                             "first": log.first_for(r.title), "first_event_s": round(first_event[r.item_id], 3),
                             "final_s": round(at, 3), "answer_s": round(time.perf_counter() - t0, 3)},
                                     ensure_ascii=False) + "\n")
            out.flush()
            print(f"{lang} user {user}: {len(items)} reasons in {time.perf_counter() - t0:.1f} s", flush=True)
    out.close()
    print(f"appended {n} reasons to {args.out}")


def score(args) -> None:
    from service.explain.audit import audit
    from service.explain.evidence import EvidenceBuilder
    from service.pipeline import Recommender
    from service.settings import Settings

    settings = Settings()
    rec = Recommender.open(settings, with_llm=False)
    builder = EvidenceBuilder(rec.index.space, rec.index.model)
    rows = [json.loads(line) for p in args.files for line in p.read_text(encoding="utf-8").splitlines() if line]
    groups: dict[tuple, list[dict]] = defaultdict(list)
    answers: dict[tuple, list[tuple[str, float]]] = defaultdict(list)
    first_text: dict[tuple, list[float]] = defaultdict(list)  # seconds until an item had text to show
    examples: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        hist = rec.liked(r["user"])[-settings.cf.history:]
        known = rec.store.get_items(hist + [r["item_id"]])
        history = {h: known[h] for h in hist if h in known}
        item = known[r["item_id"]]
        ev = builder.build(item, history)
        for what, text in (("final", r["text"]), ("llm_first", r.get("first"))):
            if not text:
                continue
            a = audit(text, ev, r["language"], item, history)
            # the target: a real shared property, and no claim outside the evidence (praise included)
            a["shared_and_clean"] = a["states_shared_property"] and not a["claim_outside_evidence"]
            key = (r["variant"], r["language"], what)
            groups[key].append(a)
            if len(examples[key]) < 6:
                examples[key].append({"title": r["title"], "text": text, "claim": a["claim"],
                                      "top": ev.top.title if ev.top else None, "shared": a["states_shared_property"]})
        answers[(r["variant"], r["language"])].append((r["user"], r["answer_s"]))
        first_text[(r["variant"], r["language"])].append(r["first_event_s"])
        groups[(r["variant"], r["language"], "source_llm")].append({"llm": r["source"] == "llm"})
    out = {"finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "files": [str(p) for p in args.files], "results": []}
    for (variant, lang, what), audits in sorted(groups.items()):
        if what == "source_llm":
            continue
        res = {"variant": variant, "language": lang, "text": what, "n": len(audits),
               **{k: round(statistics.fmean(float(a[k]) for a in audits), 3) for k in RATES}}
        if what == "final":
            secs = list(dict(answers.get((variant, lang), [])).values())  # one per answer
            res["llm_share"] = round(statistics.fmean(g["llm"] for g in groups[(variant, lang, "source_llm")]), 3)
            res["answer_s_p50"] = round(statistics.median(secs), 2) if secs else None
            res["answer_s_max"] = round(max(secs), 2) if secs else None
            res["first_text_s_p50"] = round(statistics.median(first_text[(variant, lang)]), 3)
            res["people"] = len(secs)
        res["examples"] = examples[(variant, lang, what)]
        out["results"].append(res)
    head = (f"{'variant':8} {'lang':4} {'text':9} {'n':>4} " + " ".join(f"{k[:12]:>12}" for k in RATES)
            + "   llm answer_p50_s first_text_p50_s")
    print(head)
    for res in out["results"]:
        print(f"{res['variant']:8} {res['language']:4} {res['text']:9} {res['n']:>4} "
              + " ".join(f"{res[k]:>12.2f}" for k in RATES)
              + (f"  {res['llm_share']:.2f} {res['answer_s_p50']:>13} {res['first_text_s_p50']:>16}"
                 if res["text"] == "final" else ""))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {args.json}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="step", required=True)
    w = sub.add_parser("write", help="write reasons with the service on PYTHONPATH")
    w.add_argument("--variant", choices=("shipped", "llm", "facts"), default="shipped")
    w.add_argument("--languages", default="en,fr,es,zh")
    w.add_argument("--users", type=int, default=20)
    w.add_argument("--k", type=int, default=5)
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--prompt", default=None, help="blurb prompt for --variant llm (default: the configured one)")
    w.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score", help="score written reasons against this checkout's evidence")
    s.add_argument("files", type=Path, nargs="+")
    s.add_argument("--json", type=Path)
    args = ap.parse_args()
    write(args) if args.step == "write" else score(args)


if __name__ == "__main__":
    main()
