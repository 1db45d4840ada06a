"""A shop as a user would load it: a fresh server on an empty data dir, the catalog of
`data/eval/<shop>/items.jsonl` POSTed to /v1/items (with and without item texts), the
shop's request sets (`judged/<shop>.yaml`, `judged/fresh/<shop>.yaml`) asked over
/v1/chat; prints filter satisfaction of the top 5 per set and language, and writes the
answers.

    python scripts/shop_over_api.py laptops [--json answers.json] [--texts-only] [--code DIR]

`--code` serves another checkout's code (an earlier version) on this checkout's data.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from run_judged import ask_service  # scripts/run_judged.py: a request's turns over /v1/chat
from service.eval.constraints import fits, satisfaction
from service.eval.judged import load_requests
from service.local_server import free_port

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / 'scripts/chat_requests/judged'


def serve(data: str, code: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, 'RECS_DATA_DIR': data, 'RECS_TRAINER__ENABLED': 'false', 'PYTHONPATH': str(code)}
    proc = subprocess.Popen([sys.executable, '-m', 'service', 'serve', '--port', str(port)], env=env,
                            cwd=code, stdout=open(f'{data}/log', 'w'), stderr=subprocess.STDOUT)
    base = f'http://127.0.0.1:{port}'
    for _ in range(600):
        try:
            if httpx.get(base + '/health/ready', timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f'the server exited; see {data}/log')
        time.sleep(0.5)
    raise SystemExit('the server never became ready')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('shop', help='a directory name under data/eval (laptops, wines, recipes, ...)')
    ap.add_argument('--json', help='write the answers here')
    ap.add_argument('--texts-only', action='store_true', help='skip the run without item texts')
    ap.add_argument('--first-set', action='store_true', help="only the shop's first request set")
    ap.add_argument('--code', type=Path, default=ROOT, help='the checkout whose service answers')
    args = ap.parse_args()
    rows = [json.loads(l) for l in open(ROOT / 'data/eval' / args.shop / 'items.jsonl', encoding='utf-8')]
    attrs = {r['item_id']: {k: v for k, v in r.items() if k not in ('item_id', 'title', 'text')} for r in rows}
    sets = [p for p in (JUDGED / f'{args.shop}.yaml', JUDGED / 'fresh' / f'{args.shop}.yaml') if p.exists()]
    sets = sets[:1] if args.first_set else sets
    out = {}
    for variant in ('texts',) if args.texts_only else ('texts', 'no_texts'):
        data = tempfile.mkdtemp(prefix=f'api-{args.shop}-')
        proc, base = serve(data, args.code.resolve())
        try:
            items = [{'item_id': r['item_id'], 'title': r['title'], 'text': r['text'] if variant == 'texts' else '',
                      'attributes': attrs[r['item_id']]} for r in rows]
            r = httpx.post(base + '/v1/items', json={'items': items}, timeout=600)
            r.raise_for_status()
            print(variant, 'posted', r.json())  # in the index when the POST returns (vectors, item space)
            for path in sets:
                by_lang = defaultdict(list)
                for req in load_requests(path):
                    rec, _t = ask_service(base, req, 10, False)
                    ach = sum(fits(a, req.constraints) for a in attrs.values())
                    by_lang[req.lang].append(satisfaction(rec['items'], attrs, req.constraints, ach, 5))
                    out.setdefault(f'{variant}:{path.relative_to(JUDGED)}', {})[req.id] = rec
                every = [s for v in by_lang.values() for s in v]
                langs = ' '.join(f'{lang} {sum(v) / len(v):.3f}' for lang, v in by_lang.items())
                print(variant, path.relative_to(JUDGED), f'filters {sum(every) / len(every):.3f} ({langs})')
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False))


if __name__ == '__main__':
    main()
