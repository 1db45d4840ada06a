"""The words of a chat reply around its items: what was understood ('about'), the opening
line in the person's language, and what an answer let go of."""

from __future__ import annotations

from service.chat.intent import Intent
from service.chat.plan import WORDS, ChatPlan
from service.text.lexicon import lexicon
from service.text.vocabulary import NO, YES

ONE = {"en": (("Here are", "Here is"), ("picks", "pick")), "fr": (("suggestions", "suggestion"),),
       "es": (("sugerencias", "sugerencia"),)}
HEADERS = {
    "en": ("Here are {n} picks ({about}):", "Here are {n} picks for you:",
           "I found nothing matching {about}; try fewer constraints.", "I don't know {missing} in this catalog, so I went by the rest."),
    "fr": ("Voici {n} suggestions ({about}) :", "Voici {n} suggestions pour vous :",
           "Je n'ai rien trouvé pour {about} ; essayez avec moins de critères.", "Je ne connais pas {missing} dans ce catalogue ; j'ai suivi le reste."),
    "es": ("Aquí tienes {n} sugerencias ({about}):", "Aquí tienes {n} sugerencias para ti:",
           "No encontré nada para {about}; prueba con menos condiciones.", "No conozco {missing} en este catálogo; seguí el resto."),
    "zh": ("为你推荐{n}个（{about}）：", "为你推荐{n}个：", "没有找到符合（{about}）的结果，试试放宽条件。", "目录中没有{missing}，已按其他条件推荐。"),
}
RELAXED = {"en": "Nothing matched all of it, so I let go of {what}.",
           "fr": "Rien ne correspondait à tout ; j'ai laissé de côté {what}.",
           "es": "Nada cumplía todo; dejé de lado {what}.",
           "zh": "没有完全符合的结果，已放宽：{what}。"}

NEAR = {"en": ("{m} of these fit all of it; the rest let go of {what}.", "1 of these fits all of it; the rest let go of {what}."),
        "fr": ("{m} correspondent à tout ; les suivantes laissent de côté {what}.",
               "La première correspond à tout ; les suivantes laissent de côté {what}."),
        "es": ("{m} cumplen todo; las siguientes dejan de lado {what}.",
               "La primera cumple todo; las siguientes dejan de lado {what}."),
        "zh": ("前{m}个完全符合，其余放宽了：{what}。", "第一个完全符合，其余放宽了：{what}。")}


def describe(intent: Intent, titles: dict[str, str]) -> str:
    """What was understood, in a few words of the person's language (the reply's 'about')."""
    lex, lang = lexicon(), intent.language
    no, like = WORDS.get(lang, WORDS["en"])
    parts = [lex.label(c, lang) for c in intent.include + intent.moods]
    gap = "" if lang == "zh" else " "
    implied = {c for m in intent.moods for c in lex.mood_excludes(m)}  # said by the mood already
    parts += [f"{no}{gap}{lex.label(c, lang)}" for c in intent.exclude if c in lex.concepts and c not in implied]
    parts += [f"{like}{gap}{titles.get(s, s)}" for s in intent.seeds]
    said = intent.said

    def label(av: tuple[str, str], negated: bool) -> str:
        """A value as said, or a flag as its attribute ('spicy: yes' -> 'spicy', 'not spicy')."""
        flag = av[1].casefold()
        if flag in YES or flag in NO:
            name = av[0].replace("_", " ")
            return f"{no}{gap}{name}" if (flag in NO) != negated else name
        return f"{no}{gap}{said.get(av, av[1])}" if negated else said.get(av, av[1])
    parts += list(dict.fromkeys([label(av, False) for av in intent.values_in]
                                + [label(av, True) for av in intent.values_out]))
    parts += [p for _a, p in intent.lines_in]
    parts += [c.why for c in intent.ranges]
    parts += intent.words[:4]
    return "、".join(parts) if lang == "zh" else ", ".join(parts)


def reply_header(plan: ChatPlan, n: int) -> str:
    """The reply's opening line: how many items, about what, and what was let go of."""
    lang = plan.intent.language
    with_about, plain, nothing, missing = HEADERS.get(lang, HEADERS["en"])
    if n == 0:
        return nothing.format(about=plan.about or "…")
    text = with_about.format(n=n, about=plan.about) if plan.about else plain.format(n=n)
    if n == 1:  # 'Here is 1 pick', 'Voici 1 suggestion'
        for plural, singular in ONE.get(lang, ()):
            text = text.replace(plural, singular, 1)
    if plan.intent.unresolved:
        text = missing.format(missing=", ".join(f"“{u}”" for u in plan.intent.unresolved[:2])) + " " + text
    if plan.relaxed:
        text = RELAXED.get(lang, RELAXED["en"]).format(what=plan.relaxed) + " " + text
    if plan.near:
        many, one = NEAR.get(lang, NEAR["en"])
        text += " " + (one if plan.near_count == 1 else many).format(m=plan.near_count, what=plan.near)
    return text
