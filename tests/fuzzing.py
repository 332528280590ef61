"""Shared machinery of the fuzz tests (tests/test_fuzz.py, tests/test_fuzz_gateways.py).

* :func:`examples` scales example counts: a long run (``SOC2IAC_FUZZ_LONG=1`` or
  ``--hypothesis-profile=long``) takes :data:`LONG_FACTOR` times as many;
* :data:`TRIED` counts the inputs each test tried (printed at exit on long runs);
* :func:`mutated` mutates seed texts at byte and token level, with the tokens given;
* :data:`JSON_VALUES`, :func:`json_paths`: random JSON values, and where to put them;
* :func:`only_input_errors`: the parser property (only a one-line ``InputError`` naming
  the file escapes), optionally within a time bound.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from soc2iac.errors import InputError

LONG = os.environ.get("SOC2IAC_FUZZ_LONG") == "1" or settings.get_current_profile_name() == "long"
LONG_FACTOR = 25
TRIED: Counter[str] = Counter()


def examples(n: int) -> int:
    return n * LONG_FACTOR if LONG else n


@atexit.register
def _report() -> None:  # pragma: no cover - a note for long runs
    if TRIED and LONG:
        sys.stderr.write("fuzz inputs tried: " + ", ".join(f"{k}={v}" for k, v in sorted(TRIED.items()))
                         + f", total={sum(TRIED.values())}\n")


# tokens of the formats test_fuzz.py reads (HCL, YAML manifests, plan JSON)
SYNTAX = ["{", "}", "[", "]", "(", ")", '"', "'", "${", "%{", "}", "<<EOF\n", "\nEOF\n", "#", "//", "/*", "*/",
          "=", ":", ",", "?", "-", "- ", "---\n", "...\n", "&a ", "*a", "<<: *a", "!!binary ", "!tag ", "|",
          ">", "\t", "\n", "\r\n", "\x00", "\ufeff", "\u2028", "é", "\\", "null", "true", "1e999",
          "apiVersion: v1\n", "kind: Pod\n", "resource ", "module ", "dynamic ", "for_each", "count",
          "local.", "var.", "\"format_version\"", "[" * 60, "{" * 60]


def mutate(text: str, ops: list[tuple[int, int, int, str]]) -> str:
    for kind, a, b, token in ops:
        n = len(text)
        i, j = (a % (n + 1), b % (n + 1)) if n else (0, 0)
        i, j = min(i, j), max(i, j)
        if kind == 0:  # insert a syntax token
            text = text[:i] + token + text[i:]
        elif kind == 1:  # delete a range (short)
            text = text[:i] + text[i + (j - i) % 64:]
        elif kind == 2 and n:  # flip one character
            text = text[:i] + chr((ord(text[i % n]) ^ (1 << (b % 7))) or 1) + text[i + 1:]
        elif kind == 3:  # duplicate a range
            text = text[:j] + text[i:i + (j - i) % 256] + text[j:]
        elif kind == 4:  # swap two ranges of lines
            lines = text.split("\n")
            if len(lines) > 1:
                x, y = a % len(lines), b % len(lines)
                lines[x], lines[y] = lines[y], lines[x]
                text = "\n".join(lines)
        elif kind == 5:  # truncate
            text = text[:i]
    return text


def mutated(seeds: Sequence[str], tokens: Sequence[str] = SYNTAX) -> st.SearchStrategy[str]:
    """A seed with one to eight mutations: insert a token, delete, flip, duplicate, swap lines, truncate."""
    op = st.tuples(st.integers(0, 5), st.integers(0, 1 << 20), st.integers(0, 1 << 20), st.sampled_from(list(tokens)))
    return st.builds(mutate, st.sampled_from(list(seeds)), st.lists(op, min_size=1, max_size=8))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def json_paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) into a JSON-like value, the value itself first."""
    out = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            out += json_paths(v, here + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += json_paths(v, here + (i,))
    return out


class Hang(AssertionError):
    """A parser took longer than the bound :func:`bounded` set."""


@contextlib.contextmanager
def bounded(seconds: float | None) -> Iterator[None]:
    """Fail with :class:`Hang` when the block runs longer than ``seconds`` (a SIGALRM timer
    where there is one, in the main thread; elsewhere the time is checked afterwards)."""
    if not seconds:
        yield
        return
    timer = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    started = time.monotonic()

    def _alarm(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    if timer:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    assert elapsed <= seconds, f"took {elapsed:.1f} s (bound {seconds} s)"


def only_input_errors(call: Callable[[], Any], shown: str, *, seconds: float | None = None,
                      named: Callable[[str], bool] | None = None) -> Any:
    """``call()`` either returns (its value is returned) or raises :class:`InputError` naming
    ``shown`` (or a file ``named`` accepts: an include) on one line (None is returned); within
    ``seconds`` when given."""
    with bounded(seconds):
        try:
            return call()
        except InputError as exc:
            assert exc.problem.file == shown or (named and named(exc.problem.file)), (exc.problem.file, shown)
            assert len(str(exc.problem).splitlines()) == 1, str(exc.problem)  # also \r, \u2028, ...
            assert exc.problem.line >= 0, exc.problem
    return None


def flip_bits(text: str, flips: list[int]) -> bytes:
    """``text`` as UTF-8 with one bit flipped at each position in ``flips`` (modulo its length)."""
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    for f in flips:
        if data:
            data[f % len(data)] ^= 1 << (f % 8)
    return bytes(data)
