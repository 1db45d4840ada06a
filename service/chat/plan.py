"""A chat request planned: what was understood, the request it became, and looser
versions of it to fall back on when it finds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.chat.intent import Intent
from service.types import CandidateRequest, Filters, Range

WORDS = {"en": ("not", "like"), "fr": ("sans", "comme"), "es": ("sin", "como"), "zh": ("不要", "类似")}


def relaxations(req: CandidateRequest, intent: Intent) -> list[tuple[str, CandidateRequest]]:
    """Looser requests to fall back on when the request finds nothing, each looser than
    the one before: (with nothing to say) the items earlier answers showed that fit it
    all, then values read by meaning (the least certain attribute first), then 'all of'
    becomes 'any of', then bounds the words only suggest ('a big battery'; not 'about its
    price' in a follow-up bounded by an item), then the values earlier turns named, then
    numbers, then named values, then exclusions; what they asked for in words stays."""
    f = req.filters
    out: list[tuple[str, CandidateRequest]] = []

    def add(what: list[str], filters: Filters) -> None:
        if what and filters != next((r.filters for w, r in reversed(out) if w), f):
            out.append((", ".join(dict.fromkeys(what)), req.model_copy(update={"filters": filters})))

    if intent.answered:
        # a follow-up nothing new fits all of ('que no sea francés, y de menos de 15 dólares'
        # after the rosés; '还是要vivo的，比第一款便宜'; '推荐一款华为或者小米的笔记本' ... '有没有
        # 7000块以内的？'): the earlier answers' items that do, before any wish is let go
        # (nothing new to say in the reply)
        out.append(("", shown_again(req, set(intent.answered))))
    f1 = f
    for attr in by_meaning_only(f.include, intent):  # one attribute at a time, the least sure first
        f1 = f1.model_copy(update={"include": {a: v for a, v in f1.include.items() if a != attr}})
        add(f.include[attr], f1)
    by_meaning = {(a, v) for a, v, _s in intent.semantic}
    include = {a: [v for v in vals if (a, v) not in by_meaning] for a, vals in f.include.items()}
    include = {a: vals for a, vals in include.items() if vals}
    f1 = f.model_copy(update={"include": include})
    loose = {**include, **{a: include.get(a, []) + v for a, v in f.require.items()}}
    f2 = f1.model_copy(update={"include": loose, "require": {}})
    required = [x for vs in f.require.values() for x in vs]
    add([" + ".join(required)] if len(required) > 1 else [], f2)
    named, numbers = [v for vals in loose.values() for v in vals], [c.why for c in intent.ranges if not c.guess]
    # bounds the words only suggest ('a big battery') go before the numbers said (not in a
    # follow-up bounded by an item: 'about its price' is what it asks)
    guesses = [c.why for c in intent.ranges if c.guess]
    if guesses and numbers and not intent.relative:
        f2 = f2.model_copy(update={"ranges": tightest_ranges([c for c in intent.ranges if not c.guess])})
        add(guesses, f2)
    numbers = [c.why for c in intent.ranges if not c.guess or intent.relative or not numbers]
    # values an earlier turn named ('¿Qué tal el OnePlus 13R?' ... '¿algo con 5500 mAh o más que
    # sí la tenga?'; '推荐几款OPPO手机' ... 'a higher refresh rate than the first one') go before
    # the numbers the latest turn says
    carried = [v for a, vals in loose.items() for v in vals if (a, v) in intent.carried]
    if carried and numbers:
        f2 = f2.model_copy(update={"include": {a: [v for v in vals if (a, v) not in intent.carried]
                                               for a, vals in loose.items()
                                               if any((a, v) not in intent.carried for v in vals)}})
        add(carried, f2)
    f3 = f2.model_copy(update={"ranges": {}})
    add(numbers, f3)
    f4 = f3.model_copy(update={"include": {}})
    add([v for v in named if v not in carried or not numbers], f4)
    # last: what the person ruled out (read wrongly, it would empty every answer)
    no, gap = WORDS.get(intent.language, WORDS["en"])[0], "" if intent.language == "zh" else " "
    add([f"{no}{gap}{v}" for vals in f.exclude.values() for v in vals],
        f4.model_copy(update={"exclude": {}}))
    if req.restrict_to is not None:  # 'a poco F': the titles asked for, let go of last
        last = out[-1][1] if out else req
        out.append((", ".join(p for _a, p in intent.lines_in) or "titles",
                    last.model_copy(update={"restrict_to": None})))
    return out


def by_meaning_only(include: dict[str, list[str]], intent: Intent) -> list[str]:
    """The attributes of `include` whose every value was read by meaning (none spelled),
    the least sure first: the first readings to let go of."""
    score: dict[tuple[str, str], float] = {}
    for a, v, s in intent.semantic:
        score[(a, v)] = max(s, score.get((a, v), 0.0))
    sure = {a: max(score[(a, v)] for v in vals) for a, vals in include.items()
            if vals and all((a, v) in score for v in vals)}
    return sorted(sure, key=sure.get)


def shown_again(req: CandidateRequest, answered: set[str]) -> CandidateRequest:
    """The request with the items earlier answers showed allowed back in."""
    return req.model_copy(update={"exclude_items": [i for i in req.exclude_items if i not in answered]})


@dataclass
class ChatPlan:
    intent: Intent
    request: CandidateRequest
    about: str
    asked_values: list[str] = field(default_factory=list)
    # looser versions of the request, least certain constraint first: (what was let go, request)
    relaxations: list[tuple[str, CandidateRequest]] = field(default_factory=list)
    relaxed: str | None = None  # what the answer let go of, when the request itself found nothing
    near: str | None = None  # what the items after the first `near_count` let go of (too few fit it all)
    near_count: int = 0


def tightest_ranges(constraints) -> dict[str, Range]:
    """The tightest bound per attribute and side."""
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for c in constraints:
        if c.gte is not None:
            low[c.attribute] = max(c.gte, low.get(c.attribute, c.gte))
        if c.lte is not None:
            high[c.attribute] = min(c.lte, high.get(c.attribute, c.lte))
    return {a: Range(gte=low.get(a), lte=high.get(a)) for a in {*low, *high}}
