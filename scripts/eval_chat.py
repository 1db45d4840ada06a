"""Chat evaluation on the two demo catalogs (data/demo): movies (MovieLens
ml-latest-small) and books (goodbooks-2k, no genres: authors, years, ratings).

Request sets, each in English, French, Spanish and Chinese -- attribute wishes,
negations, numbers, question forms, 'like <title>', and follow-ups that refer to the
previous answer -- each with what every item of its top 5 must satisfy (all of
`include`, at least one of `any`, none of `exclude`, within `ranges`):
- movies / tune: the 50 requests below (the lexicon was written with them in view);
- movies / heldout, books / tune, books / heldout, */fresh: `scripts/chat_requests/*.yaml`, the
  held-out sets written before any answer was seen and never tuned on.
Reported per catalog, set and language:
- attribute precision@5 of the chat pipeline (intent -> filters + normalised query),
  and of the raw text sent straight to semantic search (the baseline it must beat);
- time to the ranked list and to the whole reply (all blurbs), p50 / p95;
- blurb grounding rate on the first try, and the fallback rates (blurbs that ended as
  facts after the LLM tried; answers the reranker did not reorder).

    python scripts/eval_chat.py [--no-llm] [--catalog movies|books] [--set tune|heldout] \
        [--json results/eval_chat.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import yaml

from service.chat import Blurb, Chat, Done, Items, Turn
from service.eval.constraints import fits, satisfaction
from service.eval.latency import percentile
from service.settings import Settings
from service.types import CandidateRequest

ROOT = Path(__file__).resolve().parents[1]
DEMOS = {"movies": ("movielens-csv", ROOT / "data" / "demo" / "ml-latest-small"),
         "books": ("goodbooks", ROOT / "data" / "demo" / "goodbooks-2k")}
SETS = ROOT / "scripts" / "chat_requests"
FOLLOW = "<answer>"  # placeholder: the service's own previous reply goes here

# (language, user_id, turns, expected)
REQUESTS = [
    ("en", None, ["a funny animated movie for kids"], {"include": ["Comedy", "Animation"]}),
    ("en", "1", ["a romantic comedy"], {"include": ["Comedy", "Romance"]}),
    ("en", None, ["something scary, a horror film"], {"include": ["Horror"]}),
    ("en", "15", ["a war movie but not a drama"], {"include": ["War"], "exclude": ["Drama"]}),
    ("en", None, ["sci-fi without horror"], {"include": ["Sci-Fi"], "exclude": ["Horror"]}),
    ("en", "68", ["a documentary"], {"include": ["Documentary"]}),
    ("en", None, ["a western"], {"include": ["Western"]}),
    ("en", "1", ["a crime thriller, nothing with comedy"], {"include": ["Crime", "Thriller"], "exclude": ["Comedy"]}),
    ("en", None, ["fantasy adventure for the family"], {"include": ["Fantasy", "Adventure", "Children"]}),
    ("en", "15", ["a mystery, no horror please"], {"include": ["Mystery"], "exclude": ["Horror"]}),
    ("en", None, ["a musical"], {"include": ["Musical"]}),
    ("en", "68", ["an action movie, not animated"], {"include": ["Action"], "exclude": ["Animation"]}),
    ("en", None, ["something like Toy Story"], {"any": ["Animation", "Children"]}),
    ("en", "1", ["movies like The Matrix but not horror"], {"any": ["Sci-Fi", "Action"], "exclude": ["Horror"]}),
    ("en", None, ["like Pulp Fiction"], {"any": ["Crime", "Thriller"]}),
    ("en", "15", ["an animated film similar to Finding Nemo"], {"include": ["Animation"]}),
    ("en", None, ["movies about space exploration"], {"any": ["Sci-Fi", "Adventure", "Documentary"]}),
    ("en", "68", ["a film about dinosaurs"], {"any": ["Adventure", "Sci-Fi", "Action", "Animation", "Children"]}),
    ("en", None, ["zombie movies"], {"any": ["Horror"]}),
    ("fr", None, ["une comédie romantique"], {"include": ["Comedy", "Romance"]}),
    ("fr", "1", ["un film d'horreur"], {"include": ["Horror"]}),
    ("fr", None, ["un film de science-fiction sans horreur"], {"include": ["Sci-Fi"], "exclude": ["Horror"]}),
    ("fr", "15", ["un dessin animé pour les enfants"], {"include": ["Animation", "Children"]}),
    ("fr", None, ["un western"], {"include": ["Western"]}),
    ("fr", "68", ["un documentaire"], {"include": ["Documentary"]}),
    ("fr", None, ["un film de guerre, pas un drame"], {"include": ["War"], "exclude": ["Drama"]}),
    ("fr", "1", ["quelque chose comme Toy Story"], {"any": ["Animation", "Children"]}),
    ("es", None, ["una comedia romántica"], {"include": ["Comedy", "Romance"]}),
    ("es", "15", ["una película de terror"], {"include": ["Horror"]}),
    ("es", None, ["ciencia ficción pero no de terror"], {"include": ["Sci-Fi"], "exclude": ["Horror"]}),
    ("es", "68", ["una película de animación para niños"], {"include": ["Animation", "Children"]}),
    ("es", None, ["un documental"], {"include": ["Documentary"]}),
    ("es", "1", ["una película de acción sin animación"], {"include": ["Action"], "exclude": ["Animation"]}),
    ("es", None, ["un musical"], {"include": ["Musical"]}),
    ("es", "15", ["algo como Pulp Fiction"], {"any": ["Crime", "Thriller"]}),
    ("zh", None, ["我想看一部喜剧动画片"], {"include": ["Comedy", "Animation"]}),
    ("zh", "68", ["推荐一部恐怖片"], {"include": ["Horror"]}),
    ("zh", None, ["我想看科幻片，不要恐怖片"], {"include": ["Sci-Fi"], "exclude": ["Horror"]}),
    ("zh", "1", ["适合孩子看的动画片"], {"include": ["Animation", "Children"]}),
    ("zh", None, ["一部爱情喜剧"], {"include": ["Romance", "Comedy"]}),
    ("zh", "15", ["战争片"], {"include": ["War"]}),
    ("zh", None, ["纪录片"], {"include": ["Documentary"]}),
    ("zh", "68", ["类似Toy Story的电影"], {"any": ["Animation", "Children"]}),
    ("en", "1", ["a comedy", FOLLOW, "now without romance"], {"include": ["Comedy"], "exclude": ["Romance"]}),
    ("en", None, ["a horror movie", FOLLOW, "something lighter"], {"exclude": ["Horror", "Thriller"]}),
    ("en", "15", ["a sci-fi movie", FOLLOW, "more like the second one"], {"any": ["Sci-Fi"]}),
    ("en", None, ["a thriller", FOLLOW, "the first one was great, more like that"], {"any": ["Thriller"]}),
    ("fr", "68", ["une comédie", FOLLOW, "sans romance"], {"include": ["Comedy"], "exclude": ["Romance"]}),
    ("es", None, ["una película de acción", FOLLOW, "algo más ligero"], {"include": ["Action"], "exclude": ["Horror", "Thriller"]}),
    ("zh", "1", ["我想看动画片", FOLLOW, "不要儿童片"], {"include": ["Animation"], "exclude": ["Children"]}),
]


def achievable(store, expected: dict, cache: dict) -> int:
    """How many catalog items fit the expectation at all (a request for an author with
    two books can only ever get two right)."""
    key = json.dumps(expected, sort_keys=True)
    if key not in cache:
        cache[key] = sum(fits(item.attributes, expected) for item in store.iter_items())
    return cache[key]


def precision_at_5(item_ids: list[str], store, expected: dict, cache: dict | None = None) -> float:
    """Items in the top 5 that fit, over the 5 or, when fewer items in the catalog fit
    at all, over that many."""
    items = store.get_items(item_ids[:5])
    return satisfaction(item_ids, {i: it.attributes for i, it in items.items()}, expected,
                        achievable(store, expected, {} if cache is None else cache))


def request_sets(catalog: str, which: str) -> list[tuple[str, str, tuple]]:
    """(set name, language, request) for the catalog."""
    out = []
    if catalog == "movies" and which in ("all", "tune"):
        out += [("tune", r[0], r) for r in REQUESTS]
    for name in ("tune", "heldout", "fresh"):
        path = SETS / f"{catalog}_{name}.yaml"
        if which in ("all", name) and path.exists():
            for r in yaml.safe_load(path.read_text(encoding="utf-8")):
                out.append((name, r["lang"], (r["lang"], r.get("user"), r["turns"], r["expected"])))
    return out


def open_demo(data_dir: Path, catalog: str, with_llm: bool):
    from service.ingest.importer import import_path
    from service.pipeline import Recommender

    fmt, path = DEMOS[catalog]
    settings = Settings(data_dir=data_dir, llm={"backend": "llama-cpp" if with_llm else "none"})
    rec = Recommender.open(settings, with_llm=with_llm)
    if rec.store.stats().items == 0:
        print(f"importing the {catalog} demo catalog into {data_dir} ...", flush=True)
        import_path(rec.store, fmt, path, kind="items")
        import_path(rec.store, fmt, path, kind="events")
    # also on a data dir made before: items without a vector of the configured embedder
    # (made with another one) are embedded now, not searched as if they had none
    rec.build_index()
    return rec


def run_one(chat: Chat, user: str | None, turns: list[str], explain: bool = True) -> dict:
    history: list[Turn] = []
    out = {}
    for text in turns:
        if text == FOLLOW:
            history.append(Turn("assistant", out["reply"], out["ids"]))
            continue
        history.append(Turn("user", text))
        t0 = time.perf_counter()
        blurbs, rec = [], None
        for ev in chat.run(history, user, 5, explain=explain):
            if isinstance(ev, Items):
                rec, t_items = ev.recommendation, time.perf_counter() - t0
            elif isinstance(ev, Blurb):
                blurbs.append(ev)
            elif isinstance(ev, Done):
                reply = ev.reply
        out = {"ids": [r.item_id for r in rec.items], "reply": reply, "items_s": t_items,
               "total_s": time.perf_counter() - t0, "blurbs": blurbs, "reranked": rec.reranked,
               "fallback_reason": rec.fallback_reason}
    return out


def summarize(rows: list[dict], groups: list[str]) -> dict:
    summary = {}
    for group in groups:
        rs = [r for r in rows if group == "all" or r["lang"] == group or (group == "follow-ups" and FOLLOW in r["turns"])]
        if not rs:
            continue
        attempted = sum(r["llm_blurbs"] for r in rs)
        summary[group] = {
            "requests": len(rs),
            "attribute_precision@5": statistics.mean(r["p@5"] for r in rs),
            "attribute_precision@5_raw_text": statistics.mean(r["p@5_raw"] for r in rs),
            "items_ms_p50": 1000 * percentile([r["items_s"] for r in rs], 0.5, "nearest"),
            "reply_ms_p50": 1000 * percentile([r["total_s"] for r in rs], 0.5, "nearest"),
            "reply_ms_p95": 1000 * percentile([r["total_s"] for r in rs], 0.95, "nearest"),
            "llm_blurbs": attempted,
            "grounded_first_try": sum(r["first_try_ok"] for r in rs) / attempted if attempted else None,
            "blurb_fallback_rate": sum(r["facts_after_llm"] for r in rs) / attempted if attempted else None,
            "rerank_fallback_rate": sum(not r["reranked"] for r in rs) / len(rs),
        }
    return summary


def print_summary(title: str, summary: dict) -> None:
    print(f"\n{title}\n{'group':<11}{'n':>3} {'P@5':>6} {'P@5 raw':>8} {'items p50':>10} {'reply p50':>10} "
          f"{'reply p95':>10} {'grounded 1st':>13} {'blurb fb':>9}")
    for g, s in summary.items():
        fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
        print(f"{g:<11}{s['requests']:>3} {s['attribute_precision@5']:>6.2f} {s['attribute_precision@5_raw_text']:>8.2f}"
              f" {s['items_ms_p50']:>8.0f}ms {s['reply_ms_p50']:>8.0f}ms {s['reply_ms_p95']:>8.0f}ms"
              f" {fmt(s['grounded_first_try']):>13} {fmt(s['blurb_fallback_rate']):>9}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-llm", action="store_true", help="candidates and facts only")
    ap.add_argument("--catalog", choices=["all", "movies", "books"], default="all")
    ap.add_argument("--set", choices=["all", "tune", "heldout", "fresh"], default="all")
    ap.add_argument("--data-dir", type=Path, default=ROOT / "results" / "cache")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--llm-values", action="store_true",
                    help="let the LLM map uncovered request words to catalog values (RECS_CHAT__LLM_VALUES)")
    ap.add_argument("--no-blurbs", action="store_true", help="understanding and ranking only")
    ap.add_argument("--llm-languages", default=None,
                    help="comma-separated languages the LLM writes blurbs in (default: the setting, en)")
    args = ap.parse_args()
    results, model = {}, None
    for catalog in (["movies", "books"] if args.catalog == "all" else [args.catalog]):
        rec = open_demo(args.data_dir / f"chat-{catalog}", catalog, not args.no_llm)
        model = rec.model_id
        if args.llm_languages:
            explain = rec.settings.explain.model_copy(update={"llm_languages": args.llm_languages.split(",")})
            rec.settings = rec.settings.model_copy(update={"explain": explain})
        if args.llm_values:
            rec.settings = rec.settings.model_copy(update={"chat": rec.settings.chat.model_copy(
                update={"llm_values": True})})
        chat = Chat(rec, rec.explainer)
        requests = request_sets(catalog, args.set)
        rows = []
        fit_counts: dict = {}
        for n, (set_name, lang, (lang, user, turns, expected)) in enumerate(requests, start=1):
            res = run_one(chat, user, turns, explain=not args.no_blurbs)
            last = [t for t in turns if t != FOLLOW][-1]
            raw = rec.recommend_full(CandidateRequest(user_id=user, query=last, k=5), use_llm=False)
            llm_blurbs = [b for b in res["blurbs"] if b.first_try is not None]
            row = {"set": set_name, "lang": lang, "user": user, "turns": turns, "expected": expected,
                   "p@5": precision_at_5(res["ids"], rec.store, expected, fit_counts),
                   "p@5_raw": precision_at_5([r.item_id for r in raw.items], rec.store, expected, fit_counts),
                   "items_s": res["items_s"], "total_s": res["total_s"], "reranked": res["reranked"],
                   "llm_blurbs": len(llm_blurbs), "first_try_ok": sum(b.first_try for b in llm_blurbs),
                   "facts_after_llm": sum(b.source == "facts" for b in llm_blurbs),
                   "blurbs": [{"item": b.item_id, "text": b.text, "source": b.source, "note": b.note}
                              for b in res["blurbs"]], "reply": res["reply"]}
            rows.append(row)
            print(f"[{catalog} {set_name} {n:2d}/{len(requests)}] {lang} p@5 {row['p@5']:.1f} "
                  f"(raw {row['p@5_raw']:.1f}) {row['total_s']:.1f}s  {turns[-1]}", flush=True)
        for set_name in ("tune", "heldout", "fresh"):
            part = [r for r in rows if r["set"] == set_name]
            if part:
                summary = summarize(part, ["all", "en", "fr", "es", "zh", "follow-ups"])
                results[f"{catalog}/{set_name}"] = {"summary": summary, "requests": part}
                print_summary(f"{catalog} / {set_name}", summary)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"results": results, "model": model, "llm": not args.no_llm,
                                         "llm_values": args.llm_values, "blurbs": not args.no_blurbs}, indent=1,
                                        ensure_ascii=False))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
