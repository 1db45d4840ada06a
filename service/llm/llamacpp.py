"""llama.cpp in process (llama-cpp-python), loaded once.

Speed comes from reusing the KV cache: before each forward pass we find the longest
common token prefix with what is already evaluated and only evaluate the rest. Prompts
are laid out so that what is shared comes first (instructions, then the user's history,
then candidates), so instructions are evaluated once per process and a user's history
once per request, whatever the number of candidate orders.

llama-cpp-python 0.3.x: `eval()` keeps no logits without `logits_all=True` (slow), so
the last position's logits are read from the low-level context.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

from service.errors import BackendError, InvalidInput, Overloaded
from service.llm.base import render_plain


class LlamaCppBackend:
    def __init__(self, model_path: str, model_id: str, n_ctx: int = 2048, n_threads: int = 2,
                 n_batch: int = 512, queue_timeout_s: float = 30.0, parallel: int = 8,
                 parallel_ctx: int = 4096) -> None:
        from llama_cpp import Llama

        self.model_id = model_id
        self.model_path, self.n_threads = model_path, n_threads
        self._hidden: Llama | None = None  # a second context, opened on first use
        self._hidden_lock = threading.Lock()
        self._parallel = None  # the generation context for several completions at once, on first use
        self.parallel, self.parallel_ctx = parallel, parallel_ctx
        self.llm = Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads,
                         n_threads_batch=n_threads, n_batch=n_batch, flash_attn=True, verbose=False)
        self.lock = threading.Lock()  # one context: one request at a time
        self.queue_timeout_s = queue_timeout_s
        self._label_ids: dict[tuple[str, ...], list[list[int]]] = {}
        template = self.llm.metadata.get("tokenizer.chat_template")
        self._template = None
        if template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            eos = self.llm._model.token_get_text(self.llm.token_eos())
            bos = self.llm._model.token_get_text(self.llm.token_bos())
            self._template = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)

    # -- text ---------------------------------------------------------------------------
    def render_chat(self, messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        if self._template is None:
            return render_plain(messages, add_generation_prompt)
        return self._template(messages=messages).prompt

    def _acquire(self) -> None:
        if not self.lock.acquire(timeout=self.queue_timeout_s):
            raise Overloaded(f"the model was busy for {self.queue_timeout_s:.1f}s", retry_after=1.0)

    def tokenize(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    # -- scoring ------------------------------------------------------------------------
    def label_token_ids(self, labels: list[str]) -> list[list[int]]:
        """Token ids that spell each label as the next token: with and without a leading
        space (whichever are single tokens). A label with neither is an error."""
        key = tuple(labels)
        if key not in self._label_ids:
            out = []
            for lab in labels:
                ids = set()
                for form in (lab, " " + lab):
                    toks = self.llm.tokenize(form.encode("utf-8"), add_bos=False, special=False)
                    if len(toks) == 1:
                        ids.add(toks[0])
                if not ids:
                    raise InvalidInput(f"label {lab!r} is not a single token for {self.model_id}")
                out.append(sorted(ids))
            self._label_ids[key] = out
        return self._label_ids[key]

    def _eval_with_prefix_reuse(self, tokens: list[int]) -> np.ndarray:
        llm = self.llm
        if len(tokens) >= llm.n_ctx():
            raise InvalidInput(f"prompt has {len(tokens)} tokens; the context holds {llm.n_ctx()}")
        cached = llm._input_ids[: llm.n_tokens]
        lcp = 0
        for a, b in zip(cached, tokens):
            if a != b:
                break
            lcp += 1
        lcp = min(lcp, len(tokens) - 1)  # always evaluate at least the last token
        llm.n_tokens = lcp
        llm.eval(tokens[lcp:])
        logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),))
        return logits.astype(np.float64)

    def label_logprobs(self, prompt: str, labels: list[str]) -> dict[str, float]:
        ids = self.label_token_ids(labels)
        tokens = [self.llm.token_bos()] + self.tokenize(prompt) if self._needs_bos() else self.tokenize(prompt)
        self._acquire()
        try:
            logits = self._eval_with_prefix_reuse(tokens)
        except InvalidInput:
            raise
        except Exception as e:
            self.llm.n_tokens = 0
            raise BackendError(f"llama.cpp evaluation failed: {e}") from e
        finally:
            self.lock.release()
        m = logits.max()
        logz = m + np.log(np.exp(logits - m).sum())
        return {lab: float(np.logaddexp.reduce(logits[i]) - logz) for lab, i in zip(labels, ids)}

    def _needs_bos(self) -> bool:
        return bool(self.llm.metadata.get("tokenizer.ggml.add_bos_token", "false") == "true")

    # -- features -------------------------------------------------------------------------
    def hidden_states(self, texts: list[str]) -> np.ndarray:
        """The model's final hidden states, mean-pooled over each text's tokens (one row
        per text). A second context in embedding mode, so it never waits for ranking."""
        import llama_cpp

        with self._hidden_lock:
            if self._hidden is None:
                self._hidden = llama_cpp.Llama(
                    model_path=self.model_path, embedding=True, n_ctx=512, n_batch=512, n_ubatch=512,
                    n_threads=self.n_threads, n_threads_batch=self.n_threads, verbose=False,
                    pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN)
            try:
                return np.asarray(self._hidden.embed(texts, truncate=True), dtype=np.float32).reshape(len(texts), -1)
            except Exception as e:
                raise BackendError(f"llama.cpp embedding failed: {e}") from e

    def set_threads(self, n: int) -> None:
        """Threads for the next calls (the scheduler picks them per job; cheap)."""
        import llama_cpp

        n = max(1, min(int(n), self.n_threads))
        for model in (self.llm, self._hidden):
            if model is not None and model._ctx is not None:
                llama_cpp.llama_set_n_threads(model._ctx.ctx, n, n)
        if self._parallel is not None:
            self._parallel.set_threads(n)

    # -- generation -----------------------------------------------------------------------
    def generate(self, prompt: str, max_tokens: int = 64, stop: list[str] | None = None,
                 temperature: float = 0.0) -> Iterator[str]:
        self._acquire()
        try:
            for chunk in self.llm.create_completion(prompt, max_tokens=max_tokens, stop=stop,
                                                    temperature=temperature, stream=True):
                yield chunk["choices"][0]["text"]
        finally:
            self.lock.release()

    def generate_batch(self, prompts: list[str], max_tokens: int = 64, stop: list[str] | None = None,
                       temperature: float = 0.0) -> Iterator[tuple[int, str | None]]:
        """Several completions written together (`parallel.py`): (index, piece) as they
        come and (index, None) when one ends. With `parallel` 1, one after another."""
        if self.parallel <= 1:
            from service.llm.chains import one_after_another

            yield from one_after_another(self, prompts, max_tokens, stop, temperature)
            return
        from service.llm.parallel import ParallelGenerator

        bos = [self.llm.token_bos()] if self._needs_bos() else []
        tokens = [bos + self.tokenize(p) for p in prompts]
        self._acquire()
        try:
            if self._parallel is None:
                self._parallel = ParallelGenerator(self.llm, n_seq=self.parallel, n_ctx=self.parallel_ctx,
                                                   n_threads=self.n_threads)
            yield from self._parallel.generate(tokens, max_tokens, stop, temperature)
        except InvalidInput:
            raise
        except Exception as e:
            self._parallel.prefix = []
            raise BackendError(f"llama.cpp generation failed: {e}") from e
        finally:
            self.lock.release()

