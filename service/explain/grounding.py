"""The grounding check every LLM blurb passes before it is final.

A blurb fails when it is empty, echoes the prompt, is in the wrong language, or names
a catalog title (or a quoted title) other than the recommended item and the person's
own history. Failing blurbs are regenerated once, then replaced by facts."""

from __future__ import annotations

import re

from service.text.language import is_language
from service.text.titles import TitleIndex, normalize

MAX_WORDS = 40
MAX_CJK_CHARS = 80
_ECHO_N = 5


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    """Word n-grams; Chinese characters count as words, in runs of n + 2 (a sentence
    copied from a few-shot example is caught; a common four-character phrase is not)."""
    w = re.findall(r"[\u4e00-\u9fff]|[^\W\u4e00-\u9fff]+", text.casefold())
    if re.search(r"[\u4e00-\u9fff]", text):
        n += 2
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def trim(text: str) -> str:
    """At most MAX_WORDS words (MAX_CJK_CHARS for Chinese), cut at a sentence end when
    there is one; whitespace collapsed."""
    text = " ".join(text.split())
    if re.search(r"[\u4e00-\u9fff]", text):
        if len(text) > MAX_CJK_CHARS:
            cut = text[:MAX_CJK_CHARS]
            end = max(cut.rfind(c) for c in "。！？.!?")
            text = cut[: end + 1] if end > 20 else cut
        return text
    words = text.split(" ")
    if len(words) > MAX_WORDS:
        text = " ".join(words[:MAX_WORDS])
        end = max(text.rfind(c) for c in ".!?")
        text = text[: end + 1] if end > len(text) // 2 else text.rstrip(",;:") + "…"
    return text


def check(blurb: str, *, allowed: set[str], titles: TitleIndex, language: str, prompt: str,
          answer_prefix: str = "") -> str | None:
    """None if the blurb may be shown, else the reason it may not. `allowed`: item ids
    it may name. `prompt`: the instructions it must not echo (with titles removed)."""
    prefixed = bool(answer_prefix) and blurb.startswith(answer_prefix)
    body = blurb[len(answer_prefix):] if prefixed else blurb
    if len(re.findall(r"\w", body)) < 3:
        return "empty"
    if prefixed and re.match(r"\s*(?:(?!(?:19|20)\d\d\b)\d|part\b|ii\b|iii\b)", body, re.I):
        return "changes the item's title (e.g. adds a sequel number)"
    instructions = prompt
    for item_id in allowed:
        t = titles.title_of.get(item_id)
        if t:
            instructions = instructions.replace(t, " ")
    if _ngrams(body, _ECHO_N) & _ngrams(instructions, _ECHO_N):
        return "echoes the prompt"
    stripped = body  # the words around the titles: a title's language says nothing of the blurb's
    for _item, start, end in sorted(titles.find_all(body), key=lambda t: -t[1]):
        stripped = stripped[:start] + " " + stripped[end:]
    words_only = re.sub(r"《[^》]*》", " ", stripped)  # a title may repeat letters; the blurb may not
    if not is_language(words_only, language):
        return f"not in the requested language ({language})"
    words = re.findall(r"[^\W\d_]+", stripped)
    cjk = len(re.findall(r"[\u4e00-\u9fff]", stripped))
    if (cjk < 4) if language == "zh" else (len(words) < 3):
        return "says nothing beyond titles"
    tokens = re.findall(r"\w+", words_only.casefold()) if language != "zh" else list(re.sub(r"\W", "", words_only))
    grams = [tuple(tokens[i:i + 2]) for i in range(len(tokens) - 1)]
    if grams and max(grams.count(g) for g in set(grams)) >= 3:
        return "repeats itself"
    if len(re.findall(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)", stripped)) >= 2:
        return "lists years"
    if re.search(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]", body):
        return "contains emoji"
    allowed_keys = {normalize(titles.title_of.get(i, "")) for i in allowed}
    for item_id, start, end in titles.find_all(blurb):
        if item_id not in allowed and normalize(titles.title_of.get(item_id, "")) not in allowed_keys:
            return f"names an item that is neither recommended nor in the history: {blurb[start:end]!r}"
    for item_id, quoted, _s, _e in titles.quoted(blurb):
        if item_id not in allowed and normalize(quoted) not in allowed_keys:
            return f"names something that is neither recommended nor in the history: {quoted!r}"
    return None
