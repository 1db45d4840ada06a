"""`make_once`: several processes that want the same file at once get one file, made by
one of them (the model conversion `serve --workers N` used to race on)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from service.filelock import make_once


def _want(dst: str, log: str, barrier) -> str:
    def make(tmp: Path) -> None:
        with open(log, "a") as fh:
            fh.write("made\n")
        tmp.write_text("x" * 100_000)

    barrier.wait()  # all ask together
    return make_once(Path(dst), make).read_text()[:3]


def test_processes_asking_together_get_one_file_made_once(tmp_path):
    dst, log = tmp_path / "models" / "m.gguf", tmp_path / "made.log"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(4)
        with ctx.Pool(4) as pool:
            got = pool.starmap(_want, [(str(dst), str(log), barrier)] * 4)
    assert got == ["xxx"] * 4
    assert log.read_text() == "made\n"
    assert sorted(p.name for p in dst.parent.iterdir()) == ["m.gguf", "m.gguf.lock"]  # no partial left


def test_a_failed_make_leaves_nothing_and_the_next_one_makes_it(tmp_path):
    dst = tmp_path / "f.bin"

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    try:
        make_once(dst, broken)
    except RuntimeError:
        pass
    assert not dst.exists() and not list(tmp_path.glob("*.partial"))
    assert make_once(dst, lambda tmp: tmp.write_text("whole")).read_text() == "whole"
