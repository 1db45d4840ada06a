"""Where Chinese words begin and end (jieba's dictionary segmenter), so a span read by
meaning is made of whole words: '父子关系' holds no '子关', '像素主摄' no '素主'."""

from __future__ import annotations

import logging
from functools import lru_cache


@lru_cache(maxsize=1)
def _segmenter():
    import jieba  # loaded on the first Chinese request: about 1.5 s to read its dictionary

    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=4096)
def boundaries(run: str) -> frozenset[int]:
    """Offsets in `run` (a stretch of Chinese characters) where a word starts or ends."""
    out, at = {0, len(run)}, 0
    for word in _segmenter().cut(run, HMM=True):
        at += len(word)
        out.add(at)
    return frozenset(out)
