"""CLI for people iterating on prompts: `prompts list | render | run | compare`, for
every kind of prompt. The lab (`service/prompt_lab/`) builds and runs; this prints."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from service.cli.common import console
from service.errors import InvalidInput, RecsError
from service.settings import get_settings

prompts_app = typer.Typer(no_args_is_help=True, help="Versioned prompt files: list, render, run, compare.")

PromptName = Annotated[str, typer.Argument(help="prompt name (file stem in prompts/)", show_default=False)]
UserOpt = Annotated[Optional[str], typer.Option(help="user id (history comes from the store)")]
ItemOpt = Annotated[Optional[str], typer.Option(help="blurb prompts: the item (default: the top recommendation)")]
QueryOpt = Annotated[Optional[str], typer.Option(help="free-text request (value prompts: the chat request)")]
KOpt = Annotated[Optional[int], typer.Option("-k", "--k", min=1, max=20, help=(
    "rank prompts: candidates shown (20); blurb prompts: items of the answer (5)"))]
ModelOpt = Annotated[Optional[str], typer.Option(help="model (registry name or .gguf path); default: the configured one")]
LangOpt = Annotated[str, typer.Option(help="blurb prompts: the language written (en, fr, es, zh)")]
KINDS = {"blurb": "a blurb prompt", "listwise": "a listwise rank prompt", "values": "the chat's value prompt"}


def _open(name: str, model: str | None = None):
    """(prompt, what reads it, lab): the prompt is checked before anything loads."""
    from service.prompt_lab import Lab, use_of
    from service.prompt_lab.lab import prompt_named

    prompt = prompt_named(name)
    use = use_of(prompt)
    return prompt, use, Lab.open(get_settings(), model)


@prompts_app.command("list")
def prompts_list() -> None:
    """Every prompt file with its version, kind, what reads it and its variables."""
    from service.prompt_lab.lab import USES, use_of
    from service.prompts import list_prompts, load_prompt

    t = Table(title="prompts/")
    for col in ("name", "version", "kind", "read by", "variables", "description"):
        t.add_column(col)
    for name in list_prompts():
        try:
            p = load_prompt(name)
            t.add_row(p.name, str(p.version), p.kind, USES[use_of(p)].split(":")[0], ", ".join(p.variables),
                      p.description.strip()[:80])
        except RecsError as e:
            t.add_row(name, "-", "invalid", "", "", str(e)[:80])
    console.print(t)


@prompts_app.command("render")
def prompts_render(name: PromptName, user: UserOpt = None, item: ItemOpt = None, query: QueryOpt = None,
                   k: KOpt = None, model: ModelOpt = None, language: LangOpt = "en") -> None:
    """Print exactly what the model sees, with its token count (and, for blurb
    prompts, the variables and what the answer's prompts share)."""
    prompt, use, lab = _open(name, model)
    _only_for(use, item=item, language=language)
    if use == "blurb":
        _render_blurb(lab, name, user, item, query, k or lab.settings.explain.max_items, language)
    elif use == "listwise":
        _render_listwise(lab, prompt, user, query, k or 20)
    else:
        _render_values(lab, prompt, query)


@prompts_app.command("run")
def prompts_run(name: PromptName, user: UserOpt = None, query: QueryOpt = None, k: KOpt = None,
                model: ModelOpt = None, language: LangOpt = "en") -> None:
    """Run a prompt once: blurbs for the person's top k with the service's checks,
    latency and tokens; a rank prompt's label score per candidate."""
    prompt, use, lab = _open(name, model)
    _only_for(use, language=language)
    if use == "blurb":
        _run_blurb(lab, name, user, query, k or lab.settings.explain.max_items, language)
    elif use == "listwise":
        _run_listwise(lab, prompt, user, query, k or 20)
    else:
        _run_values(lab, prompt, query)


def _only_for(use: str, item: str | None = None, language: str = "en") -> None:
    from service.prompt_lab.lab import language as checked

    checked(language)
    if use != "blurb" and item:
        raise InvalidInput("--item is for blurb prompts (a rank prompt shows the candidates of --user / --query)")
    if use != "blurb" and language != "en":
        raise InvalidInput("--language is for blurb prompts (a rank prompt's language is its template's)")


# -- blurb prompts ------------------------------------------------------------------------------
def _render_blurb(lab, name, user, item_id, query, k, language) -> None:
    from service.llm.base import render_plain
    from service.llm.registry import blurb_prompt
    from service.prompt_lab.blurbs import BlurbLab

    user = lab.user(user, f"{name} writes for a person")
    item = lab.item(item_id) if item_id else None
    bl = BlurbLab(lab, name, None, language, k)
    answer = bl.answer(user, k, query, item)
    prompts = bl.prompts(user, answer, query)
    mine = next(p for p in prompts if p.item.item_id == (item.item_id if item else answer[0].item_id))
    console.rule(f"{bl.ref} · user {user} · item {mine.item.item_id} {mine.item.title!r} · {bl.model_id}")
    if mine.text is None:
        console.print(f"no prompt: this item gets a sentence built from facts ({mine.reason}):", markup=False)
        console.print(mine.facts or "", markup=False, highlight=False, soft_wrap=True)
        return
    console.print(mine.text, markup=False, highlight=False, soft_wrap=True)
    console.rule("variables")
    for key, value in mine.values.items():
        console.print(f"[bold]{key}[/bold]: {escape(value)}", highlight=False)
    console.rule()
    p = bl.explainer.prompt
    probe = [{"role": "user", "content": "x"}]
    template = ("not applied: the template is the whole prompt (the file says chat: false)" if not p.chat else
                "applied, the model's own (the file says chat: true)"
                if bl.backend.render_chat(probe) != render_plain(probe) else
                "plain User:/Assistant: turns (chat: true, and the model has no template of its own)")
    registered = blurb_prompt(lab.model)
    others = sum(1 for q in prompts if q.text is not None) - 1
    console.print(f"{mine.tokens} tokens; chat template: {template}; answer start: {mine.prefix!r}", markup=False)
    if others:
        console.print(f"shared with the other {others} prompt(s) of this answer: the first {mine.shared_tokens} "
                      f"tokens (evaluated once); this item's own part, {mine.tokens - mine.shared_tokens} tokens:",
                      markup=False)
        console.print("  " + repr(mine.text[mine.shared_chars:]), markup=False, highlight=False, soft_wrap=True)
    facts = [q for q in prompts if q.text is None]
    if facts:
        console.print("from facts, no prompt: " + "; ".join(f"{q.item.item_id} ({q.reason})" for q in facts),
                      markup=False)
    if registered != name:
        console.print(f"[yellow]note:[/yellow] models/registry.yaml has {lab.model} write blurbs with "
                      f"{registered!r}, not {name!r}")


def _run_blurb(lab, name, user, query, k, language) -> None:
    from service.prompt_lab.blurbs import BlurbLab

    user = lab.user(user, f"{name} writes for a person")
    bl = BlurbLab(lab, name, None, language, k, budget_ms=lab.settings.explain.budget_ms)
    answer = bl.answer(user, k, query)
    t0 = time.perf_counter()
    written = bl.write(user, answer, query, lab.rec.calllog)
    seconds = time.perf_counter() - t0
    t = Table(title=f"{bl.ref} on {bl.model_id} for user {user} ({language})", show_lines=True)
    for col in ("#", "item", "try", "text", "check", "language", "praise", "ms", "tokens in/out"):
        t.add_column(col)
    for n, w in enumerate(written, 1):
        label = f"{w.prompt.item.item_id}\n{w.prompt.item.title}"
        if not w.attempts:
            t.add_row(str(n), label, "facts", w.final.text if w.final else "", w.prompt.reason or "", "", "", "", "")
        for i, a in enumerate(w.attempts):
            t.add_row(str(n) if i == 0 else "", label if i == 0 else "", "1 greedy" if i == 0 else "2 sampled",
                      a.text, a.check, "ok" if a.language_ok else "wrong", ", ".join(a.praise),
                      f"{a.latency_ms:.0f}" if a.latency_ms else "", f"{w.prompt.tokens}/{a.output_tokens}")
        if w.attempts and w.final and w.final.source == "facts":
            t.add_row("", "", "shown", w.final.text, f"facts: {w.final.note}", "", "", "", "")
    console.print(t)
    llm = sum(1 for w in written if w.final and w.final.source == "llm")
    console.print(f"[dim]{llm} of {len(written)} blurbs by the model; {seconds:.1f} s for the answer (written "
                  f"together); logged: python -m service logs list --prompt {name}[/dim]")


# -- rank prompts -------------------------------------------------------------------------------
def _render_listwise(lab, prompt, user, query, k) -> None:
    from service.prompt_lab.lab import setting_env
    from service.prompt_lab.ranking import listwise

    lw = listwise(lab, prompt, lab.user(user), query, k)
    console.print(lw.marked(), markup=False, highlight=False, soft_wrap=True)
    s = lab.settings.llm
    console.print(f"[dim]{prompt.ref}: {lab.rec.backend.count_tokens(lw.text())} tokens for {lab.rec.model_id}; "
                  f"{len(lw.shown)} candidates; history: the latest {len(lw.history)} items "
                  f"({setting_env('llm', 'history_items')}={s.history_items}); {lw.cuts()} title(s) shortened "
                  f"to {s.text_chars} characters ({setting_env('llm', 'text_chars')}), marked "
                  f"{escape('…[cut: …]')} here only: the model does not see the marks[/dim]")


def _run_listwise(lab, prompt, user, query, k) -> None:
    from service.prompt_lab.ranking import listwise

    lw = listwise(lab, prompt, lab.user(user), query, k)
    lp, rendered, ms = lw.scores()
    tokens = lab.rec.backend.count_tokens(rendered)
    lab.rec.calllog.record("score", prompt.ref, rendered, dict(zip(lw.ranker.labels, lp.tolist())),
                           model=lab.rec.model_id, user_id=user, latency_ms=round(ms, 1), tokens=tokens)
    t = Table(title=f"{prompt.ref} for user={user} query={query!r}")
    for col in ("label", "item", "title", "log-prob", "model rank"):
        t.add_column(col)
    ranks = {i: r + 1 for r, i in enumerate(sorted(range(len(lp)), key=lambda i: -lp[i]))}
    for i, (lab_, it) in enumerate(zip(lw.ranker.labels, lw.shown)):
        t.add_row(lab_, it.item_id, it.title, f"{lp[i]:.3f}", str(ranks[i]))
    console.print(t)
    console.print(f"[dim]{ms:.0f} ms, {tokens} tokens[/dim]")


def _render_values(lab, prompt, query) -> None:
    from service.prompt_lab.ranking import value_calls

    calls, _ = value_calls(lab, prompt, _request(query, prompt), score=False)
    for c in calls:
        console.rule(f"{prompt.ref} · attribute {c.attribute} · {len(c.options)} options")
        console.print(c.prompt, markup=False, highlight=False, soft_wrap=True)
        console.print(f"[dim]{lab.rec.backend.count_tokens(c.prompt)} tokens for {lab.rec.model_id}[/dim]")


def _run_values(lab, prompt, query) -> None:
    import math

    from service.prompt_lab.ranking import value_calls

    calls, picked = value_calls(lab, prompt, _request(query, prompt), score=True)
    for c in calls:
        z = math.log(sum(math.exp(v) for v in c.logprobs.values()))
        probs = sorted(((math.exp(lp - z), c.options[i]) for i, lp in enumerate(c.logprobs.values())), reverse=True)
        top = ", ".join(f"{o} {p:.2f}" for p, o in probs[:5])
        console.print(f"{c.attribute}: {top}  [dim]({c.latency_ms:.0f} ms, "
                      f"{lab.rec.backend.count_tokens(c.prompt)} tokens)[/dim]", highlight=False)
    taken = ", ".join(f"{a}={v} ({p:.2f})" for a, v, p in picked) or "nothing"
    console.print(f"the chat would take: {taken} (at least {lab.settings.chat.llm_values_min_prob} sure)")


def _request(query: str | None, prompt) -> str:
    if not query or not query.strip():
        raise InvalidInput(f"{prompt.name} reads a chat request: add --query (e.g. --query 'zombie movies')")
    return query


# -- compare ------------------------------------------------------------------------------------
@prompts_app.command("compare")
def prompts_compare(
    a: Annotated[str, typer.Argument(help="first prompt (the current one)", show_default=False)],
    b: Annotated[str, typer.Argument(help="second prompt (the variant)", show_default=False)],
    users: Annotated[Optional[int], typer.Option(min=1, help="people sampled (blurbs: 20; rank: 100)")] = None,
    k: KOpt = None,
    model: Annotated[Optional[list[str]], typer.Option(help=(
        "blurbs: the model of both sides; given twice, A's then B's"))] = None,
    language: LangOpt = "en",
    seed: Annotated[int, typer.Option()] = 0,
    show: Annotated[Optional[int], typer.Option(min=0, help=(
        "pairs (blurbs: 3) or users (rank: 5) where they differ most"))] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="rank prompts: dataset format")] = None,
    path: Annotated[Optional[Path], typer.Option(help="rank prompts: dataset folder")] = None,
    candidates: Annotated[int, typer.Option(min=2, max=20, help="rank prompts: candidates")] = 20,
    requests: Annotated[Optional[Path], typer.Option(help=(
        "value prompts: a request set (YAML list of {lang, turns, expected})"))] = None,
) -> None:
    """Two blurb prompts (or one on two models) on the same people and items: check
    rates, empty praise, length, latency, every pair in a JSONL file. Two rank prompts
    on the same held-out users (--format, --path): metrics side by side. Two chat value
    prompts (or one on two models) on a request set (--requests): right and wrong
    values picked, latency, every pair in a JSONL file."""
    from service.cli.compare import compare_blurbs, compare_rank, compare_values
    from service.prompt_lab.lab import prompt_named, use_of

    uses = [use_of(prompt_named(n)) for n in (a, b)]
    if requests and uses != ["values", "values"]:
        raise InvalidInput("--requests is for the chat's value prompts")
    if uses == ["blurb", "blurb"]:
        if format or path:
            raise InvalidInput("--format/--path are for rank prompts; blurbs are compared on this data dir")
        compare_blurbs(a, b, users or 20, k or 5, model or [], language, seed, 3 if show is None else show)
    elif uses == ["values", "values"]:
        if format or path or users or k or language != "en":
            raise InvalidInput("value prompts are compared on a request set: --requests, --model and --show only")
        if not requests:
            raise InvalidInput("comparing value prompts reads chat requests: add --requests (e.g. --requests "
                               "scripts/chat_requests/movies_heldout.yaml)")
        compare_values(a, b, requests, model or [], 5 if show is None else show)
    elif uses == ["listwise", "listwise"]:
        if model or k or language != "en":
            raise InvalidInput("--model, --k and --language are for blurb prompts")
        if not (format and path):
            raise InvalidInput("comparing rank prompts evaluates them on a dataset: add --format and --path "
                               "(e.g. --format movielens-csv --path data/demo/ml-latest-small)")
        compare_rank(a, b, format, path, users or 100, seed, candidates, 5 if show is None else show)
    else:
        kinds = ", ".join(f"{n} is {KINDS[u]}" for n, u in zip((a, b), uses))
        raise InvalidInput(f"compare takes two prompts of one kind: two blurb prompts, two listwise rank "
                           f"prompts or two chat value prompts ({kinds})")
