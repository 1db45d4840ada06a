"""Several completions at once in one llama.cpp context: parallel sequences in each
batch, over a shared, cached prompt prefix.

- One context with `n_seq` + 1 sequences and a unified KV cache. Sequence 0 holds the
  longest common prefix of the last call's prompts; the next call keeps whatever of it
  its own prompts share (across requests this is the prompt's fixed part: the system
  message and instructions), evaluates the rest once, and copies it into each
  sequence (a copy of cell tags, not of data).
- Every step decodes one token for every unfinished sequence in one batch, so the
  weights are read once per step for all of them; and one more prompt's own remainder
  joins each step (as llama.cpp's server admits requests), so the first tokens come
  after one prompt's evaluation instead of all of them.
- Tokens are picked from the logits here: greedy at temperature 0 (what
  `create_completion` does), else top-k 40 / top-p 0.95 / min-p 0.05 sampling at the
  temperature (its defaults).
- Pieces stream out as (prompt index, text), interleaved; stop strings end a sequence
  and are not emitted.

The context shares the weights of the `Llama` it is made from.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from service.errors import InvalidInput


@dataclass(eq=False)
class _Seq:
    index: int  # the prompt's position in the call
    seq_id: int
    pos: int  # next position in this sequence
    pending: str = ""  # text held back: it may be the start of a stop string
    tokens: int = 0
    done: bool = False
    decoder: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class ParallelGenerator:
    def __init__(self, llm, n_seq: int = 8, n_ctx: int = 4096, n_batch: int = 512, n_threads: int = 2) -> None:
        import llama_cpp
        from llama_cpp import _internals

        self.llm, self.n_seq = llm, n_seq
        params = llama_cpp.llama_context_default_params()
        params.n_ctx, params.n_batch, params.n_ubatch = n_ctx, n_batch, n_batch
        params.n_seq_max = n_seq + 1
        params.kv_unified = True  # one cache: copying the prefix into a sequence shares its cells
        params.n_threads = params.n_threads_batch = n_threads
        params.no_perf = True
        self.ctx = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
        self.n_ctx, self.n_batch = n_ctx, n_batch
        self.batch = llama_cpp.llama_batch_init(n_batch, 0, n_seq + 1)
        self.prefix: list[int] = []  # what sequence 0 holds
        self.n_vocab = llm.n_vocab()
        self.eos = {llm.token_eos()} | {t for t in (getattr(llm._model, "token_eot", lambda: -1)(),) if t >= 0}
        self.stats = {"calls": 0, "prefix_reused": 0, "prefix_evaluated": 0, "prompt_tokens": 0, "steps": 0}

    def close(self) -> None:
        import llama_cpp

        if self.batch is not None:
            llama_cpp.llama_batch_free(self.batch)
            self.batch = None
        self.ctx.close()

    def set_threads(self, n: int) -> None:
        import llama_cpp

        llama_cpp.llama_set_n_threads(self.ctx.ctx, n, n)

    # -- low level ------------------------------------------------------------------------
    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> dict[int, np.ndarray]:
        """entries: (token, position, sequence, wants logits). Decodes them in batches of
        at most n_batch; returns entry index -> its logits (copied: a decode overwrites them)."""
        import llama_cpp

        out: dict[int, np.ndarray] = {}
        for start in range(0, len(entries), self.n_batch):
            chunk = entries[start:start + self.n_batch]
            b = self.batch
            b.n_tokens = len(chunk)
            for j, (tok, pos, seq, logits) in enumerate(chunk):
                b.token[j], b.pos[j], b.n_seq_id[j], b.logits[j] = tok, pos, 1, logits
                b.seq_id[j][0] = seq
            rc = llama_cpp.llama_decode(self.ctx.ctx, b)
            if rc != 0:
                raise RuntimeError(f"llama_decode returned {rc}")
            for j, (_tok, _pos, _seq, logits) in enumerate(chunk):
                if logits:
                    ptr = llama_cpp.llama_get_logits_ith(self.ctx.ctx, j)
                    out[start + j] = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).astype(np.float64)
        return out

    @staticmethod
    def _pick(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
        if temperature <= 0:
            return int(np.argmax(logits))
        top = np.argpartition(-logits, 40)[:40]
        top = top[np.argsort(-logits[top])]
        p = np.exp((logits[top] - logits[top[0]]) / temperature)
        p /= p.sum()
        keep = (np.cumsum(p) - p < 0.95) & (p >= 0.05 * p[0])
        p = p[keep] / p[keep].sum()
        return int(rng.choice(top[keep], p=p))

    # -- generation ---------------------------------------------------------------------------
    def generate(self, prompts: list[list[int]], max_tokens: int = 48, stop: list[str] | None = None,
                 temperature: float = 0.0, seed: int | None = None) -> Iterator[tuple[int, str | None]]:
        """(prompt index, text piece) as the sequences produce them, and (prompt index,
        None) when one ends."""
        import llama_cpp

        if not prompts:
            return
        if len(prompts) > self.n_seq:  # more prompts than sequences: in rounds
            for start in range(0, len(prompts), self.n_seq):
                for i, piece in self.generate(prompts[start:start + self.n_seq], max_tokens, stop, temperature, seed):
                    yield start + i, piece
            return
        need = sum(len(p) for p in prompts) + len(prompts) * max_tokens
        if need >= self.n_ctx or any(not p for p in prompts):
            raise InvalidInput(f"{len(prompts)} prompts need {need} tokens; the generation context holds {self.n_ctx}")
        stop = [s for s in (stop or []) if s]
        rng = np.random.default_rng(seed)
        mem = self.ctx.memory
        self.stats["calls"] += 1

        # the shared prefix: at most the shortest prompt minus one token (each sequence
        # needs a token of its own to give logits)
        shared = min(len(p) for p in prompts) - 1
        for p in prompts[1:]:
            shared = min(shared, _common_prefix(prompts[0], p))
        common = prompts[0][:shared]
        keep = _common_prefix(self.prefix, common)
        for s in range(1, self.n_seq + 1):
            llama_cpp.llama_memory_seq_rm(mem, s, -1, -1)
        llama_cpp.llama_memory_seq_rm(mem, 0, keep, -1)
        if shared > keep:
            self._decode([(t, keep + j, 0, False) for j, t in enumerate(common[keep:])])
        self.prefix = list(common)
        self.stats["prefix_reused"] += keep
        self.stats["prefix_evaluated"] += shared - keep

        seqs = [_Seq(i, i + 1, len(p)) for i, p in enumerate(prompts)]
        waiting = list(zip(seqs, prompts))
        self.stats["prompt_tokens"] += sum(len(p) for p in prompts)
        try:
            live: dict[_Seq, np.ndarray] = {}
            while live or waiting:
                step, order = [], {}
                for s, logits in live.items():
                    tok = self._pick(logits, temperature, rng)
                    s.tokens += 1
                    if tok in self.eos:
                        s.done = True
                    else:
                        piece = self._take(s, tok, stop)
                        if piece:
                            yield s.index, piece
                    if s.tokens >= max_tokens and not s.done:
                        s.done = True
                    if s.done:
                        if s.pending and not any(x in s.pending for x in stop):
                            yield s.index, s.pending
                        s.pending = ""
                        yield s.index, None
                        continue
                    order[len(step)] = s
                    step.append((tok, s.pos, s.seq_id, True))
                    s.pos += 1
                if waiting:  # one more prompt joins each step: the first tokens come after one prompt, not all
                    s, p = waiting.pop(0)
                    llama_cpp.llama_memory_seq_cp(mem, 0, s.seq_id, 0, shared)
                    rest = p[shared:]
                    step += [(t, shared + j, s.seq_id, j == len(rest) - 1) for j, t in enumerate(rest)]
                    order[len(step) - 1] = s
                if not step:
                    break
                self.stats["steps"] += 1
                live = {order[e]: logits for e, logits in self._decode(step).items()}
        finally:
            for s in seqs:
                llama_cpp.llama_memory_seq_rm(mem, s.seq_id, -1, -1)

    def _take(self, s: _Seq, tok: int, stop: list[str]) -> str:
        """Text of one more token, minus anything that is or may become a stop string."""
        text = s.pending + s.decoder.decode(self.llm.detokenize([tok]))
        for x in stop:
            at = text.find(x)
            if at >= 0:
                s.done, s.pending = True, ""
                return text[:at]
        hold = 0  # the longest tail that could still grow into a stop string
        for x in stop:
            for n in range(min(len(x) - 1, len(text)), 0, -1):
                if x.startswith(text[-n:]):
                    hold = max(hold, n)
                    break
        out, s.pending = (text[:-hold], text[-hold:]) if hold else (text, "")
        return out
