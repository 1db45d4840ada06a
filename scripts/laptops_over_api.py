"""The laptop shop as a user would load it: a fresh server on an empty data dir, the
catalog POSTed to /v1/items (with and without item texts), both laptop request sets asked
over /v1/chat; prints filter satisfaction and writes the answers.

    python scripts/laptops_over_api.py [--json answers.json]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from run_judged import ask_service  # scripts/run_judged.py: a request's turns over /v1/chat
from service.eval.constraints import fits, satisfaction
from service.eval.judged import load_requests
from service.local_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    rows = [json.loads(l) for l in open(ROOT / 'data/eval/laptops/items.jsonl', encoding='utf-8')]
    attrs = {r['item_id']: {k: v for k, v in r.items() if k not in ('item_id', 'title', 'text')} for r in rows}
    out = {}
    for variant in ('texts', 'no_texts'):
        data = tempfile.mkdtemp(prefix='api-laptops-')
        port = free_port()
        env = {**os.environ, 'RECS_DATA_DIR': data, 'RECS_TRAINER__ENABLED': 'false'}
        proc = subprocess.Popen([sys.executable, '-m', 'service', 'serve', '--port', str(port)], env=env,
                                cwd=ROOT, stdout=open(f'{data}/log', 'w'), stderr=subprocess.STDOUT)
        base = f'http://127.0.0.1:{port}'
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + '/health/ready', timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            items = [{'item_id': r['item_id'], 'title': r['title'], 'text': r['text'] if variant == 'texts' else '',
                      'attributes': attrs[r['item_id']]} for r in rows]
            r = httpx.post(base + '/v1/items', json={'items': items}, timeout=300)
            r.raise_for_status()
            print(variant, 'posted', r.json())  # in the index when the POST returns (vectors, item space)
            for path in ('laptops.yaml', 'fresh/laptops.yaml'):
                reqs = load_requests(ROOT / 'scripts/chat_requests/judged' / path)
                sats = []
                for req in reqs:
                    rec, _t = ask_service(base, req, 10, False)
                    ach = sum(fits(a, req.constraints) for a in attrs.values())
                    sats.append(satisfaction(rec['items'], attrs, req.constraints, ach, 5))
                    out.setdefault(f'{variant}:{path}', {})[req.id] = rec
                print(variant, path, 'filters %.3f' % (sum(sats) / len(sats)))
        finally:
            proc.terminate(); proc.wait(timeout=60)
    if '--json' in sys.argv:
        Path(sys.argv[sys.argv.index('--json') + 1]).write_text(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
