"""Answers with fewer items than asked, filled up after the items that fit everything:
with what earlier answers showed that fits too (a follow-up), then with what fits all
but an unsure reading by meaning ('cocinar' read as no-cook at 0.61)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from service.chat.plan import ChatPlan, by_meaning_only, shown_again
from service.chat.ports import ChatPipeline
from service.chat.value_matching import SURE_BY_MEANING

if TYPE_CHECKING:
    from service.recommender.results import Recommendation


def _appended(out: Recommendation, extra: list) -> Recommendation:
    return replace(out, items=out.items + [r.model_copy(update={"rank": len(out.items) + n + 1})
                                           for n, r in enumerate(extra)])


def shown_that_fit(rec: ChatPipeline, plan: ChatPlan, out: Recommendation, k: int, use_llm: bool) -> Recommendation:
    """A follow-up whose wishes leave fewer than k new items shows after them the items
    earlier answers showed that fit too ('vale, pero que no pase de 1300 dólares': the
    Snapdragon laptops of the first answer under $1,300 as well)."""
    answered = set(plan.intent.answered)
    if not out.items or len(out.items) >= k or not answered or plan.relaxed:
        return out
    again = rec.recommend_full(shown_again(plan.request, answered), use_llm=use_llm)
    have = {r.item_id for r in out.items}
    return _appended(out, [r for r in again.items if r.item_id in answered and r.item_id not in have][: k - len(out.items)])


def near_fits(rec: ChatPipeline, plan: ChatPlan, out: Recommendation, k: int, use_llm: bool) -> Recommendation:
    """Fewer than k items that fit everything, and values read by meaning none of which is
    sure: after those items, the ones that fit all the rest; `plan.near` says what they
    let go of."""
    if not out.items or len(out.items) >= k or plan.relaxed:
        return out
    sure = {(a, v): s for a, v, s in plan.intent.semantic}
    f = plan.request.filters
    unsure = [a for a in by_meaning_only(f.include, plan.intent)
              if max(sure.get((a, v), 0.0) for v in f.include[a]) < SURE_BY_MEANING]
    if not unsure:
        return out
    looser = plan.request.model_copy(update={"filters": f.model_copy(update={
        "include": {a: v for a, v in f.include.items() if a not in unsure}})})
    answered = set(plan.intent.answered)
    if answered:  # ... the earlier answers' items that fit the rest too, after new ones
        looser = shown_again(looser, answered)
    have = {r.item_id for r in out.items}
    found = [r for r in rec.recommend_full(looser, use_llm=use_llm).items if r.item_id not in have]
    extra = sorted(found, key=lambda r: r.item_id in answered)[: k - len(out.items)]
    if extra:
        plan.near = ", ".join(v for a in unsure for v in f.include[a])
        plan.near_count = len(out.items)
    return _appended(out, extra)
