"""Parsers turn files into :class:`soc2iac.model.Resource` records."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError, InputProblem
from soc2iac.text import one_line  # noqa: F401 - parsers quote config text with it

MAX_FILE_BYTES = 20 * 1024 * 1024  # default of ``scan --max-file-size``
MAX_DEPTH = 200  # nesting bound for parsed documents (deeper is an input error, never a crash)

_max_bytes: ContextVar[int] = ContextVar("soc2iac_max_file_bytes", default=MAX_FILE_BYTES)
_repo_root: ContextVar[Path | None] = ContextVar("soc2iac_repo_root", default=None)
_tree: ContextVar[tuple[Path, ...] | None] = ContextVar("soc2iac_scanned_tree", default=None)
_notices: ContextVar[list[str] | None] = ContextVar("soc2iac_parser_notices", default=None)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def parse_size(text: str) -> int:
    """``20MiB``, ``20M``, ``512KiB``, ``1048576`` -> bytes (binary units); ValueError otherwise."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"not a size: {text!r} (use bytes, or a number with KiB, MiB or GiB)")
    number = float(m.group(1)) * _UNITS[(m.group(2) or "")[:1].lower()]
    if number < 1:
        raise ValueError(f"not a size: {text!r} (must be at least 1 byte)")
    return int(number)


def format_size(size: int) -> str:
    for unit, factor in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def max_file_bytes() -> int:
    """The size limit in force (``scan --max-file-size``)."""
    return _max_bytes.get()


@contextlib.contextmanager
def file_size_limit(max_bytes: int) -> Iterator[None]:
    """Every :func:`read_source` inside the block uses ``max_bytes``."""
    token = _max_bytes.set(max_bytes)
    try:
        yield
    finally:
        _max_bytes.reset(token)


def read_source(path: Path, shown: str, *, max_bytes: int | None = None) -> str:
    """A config file as text; :class:`InputError` for unreadable, oversized, binary or non-UTF-8 files."""
    limit = max_file_bytes() if max_bytes is None else max_bytes
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise InputError(shown, "not a regular file; skipped")
        size = info.st_size
        if size > limit:
            raise InputError(shown, f"larger than the size limit ({format_size(size)} > {format_size(limit)}; "
                                    "see --max-file-size); skipped")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # a file that grew since stat() is still bounded
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(shown, f"larger than the size limit ({format_size(limit)}; see --max-file-size); skipped")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(shown, f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(shown, "binary file (contains NUL bytes)")
    return text


INT_DIGITS = 4300  # Python's limit on integer <-> text conversion (sys.get_int_max_str_digits())
HUGE_INT = f"an integer of more than {INT_DIGITS} digits, which cannot be compared"


def bounded_int(text: str) -> Any:
    """A JSON integer: ``int(text)``, or, past :data:`INT_DIGITS` digits (where Python refuses the
    conversion), a value that cannot be compared, with the reason (``json.loads(parse_int=...)``)."""
    if len(text.lstrip("-")) <= INT_DIGITS:
        return int(text)
    from soc2iac.model import Unknown

    return Unknown(HUGE_INT)


def huge_int(exc: BaseException) -> bool:
    """Whether ``exc`` is Python's refusal to convert an integer of too many digits."""
    return isinstance(exc, ValueError) and "integer string conversion" in str(exc)


def nesting_depth(value: object, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and dicts nest in ``value`` (iterative; stops counting past ``limit``)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
            stack.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def as_mapping(value: object) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else empty (a malformed config is read as far as it goes)."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is a list, else empty."""
    return value if isinstance(value, list) else []


@contextlib.contextmanager
def repo_root(root: Path | None) -> Iterator[None]:
    """Inside the block, plans name their source files relative to ``root`` (``scan --repo-root``)."""
    token = _repo_root.set(root)
    try:
        yield
    finally:
        _repo_root.reset(token)


def current_repo_root() -> Path | None:
    return _repo_root.get()


@contextlib.contextmanager
def scanned_tree(roots: Iterable[Path] | None) -> Iterator[None]:
    """Inside the block, a file that a config includes (an nginx ``include``, the ``nginx.conf``
    a fragment is read through) is read only when its real path lies under one of ``roots``: the
    folders the user named (a named file's folder) and ``scan --include-root``. None: no bound
    (a library caller parsing one file it chose)."""
    token = _tree.set(None if roots is None else tuple(_real(r) for r in roots))
    try:
        yield
    finally:
        _tree.reset(token)


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def inside_tree(path: Path) -> bool:
    """Whether ``path`` (its real path: links resolved) lies in the scanned tree (see :func:`scanned_tree`)."""
    roots = _tree.get()
    if roots is None:
        return True
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return any(real == root or real.is_relative_to(root) for root in roots)


def tree_key() -> tuple[str, ...] | None:
    """The scanned tree's roots, for memoising what depends on them."""
    roots = _tree.get()
    return None if roots is None else tuple(map(str, roots))


@contextlib.contextmanager
def notices_into(sink: list[str]) -> Iterator[None]:
    """Inside the block, :func:`notice` appends to ``sink`` (the scan's notices)."""
    token = _notices.set(sink)
    try:
        yield
    finally:
        _notices.reset(token)


def notice(text: str) -> None:
    """A parser's remark on what it did not read (a refused include): shown with the scan's notices."""
    sink = _notices.get()
    if sink is not None:
        sink.append(text)


def crashed(shown: str, exc: Exception) -> InputProblem:
    """The input problem for a parser's own bug: one line, never a traceback."""
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return InputProblem(shown, f"could not be read: internal error {type(exc).__name__}"
                               f"{': ' + detail if detail else ''} (please report it)")


def reraise_when_debugging() -> None:
    if os.environ.get("SOC2IAC_DEBUG"):
        raise


MARKER = "soc2iac:"  # comments carrying it are kept on the resource (soc2iac.waivers reads them)


def comment_markers(lines: Sequence[str], start: int, end: int) -> tuple[str, ...]:
    """The raw text of the lines ``start``..``end`` (1-based) and of the comment lines (``#``,
    ``//``) directly above them that carry a soc2iac marker. Parsers record; they do not interpret."""
    first = start - 1
    while first - 1 >= 1 and lines[first - 2].lstrip().startswith(("#", "//")):
        first -= 1  # the comment lines directly above the block
    return tuple(lines[n - 1].strip() for n in range(max(first, 1), min(end, len(lines)) + 1)
                 if MARKER in lines[n - 1])


def unique_address(taken: set[str], address: str) -> str:
    """``address``, or ``address#2``, ``#3``... when a file declares the same name twice; recorded in ``taken``."""
    candidate, n = address, 1
    while candidate in taken:
        n += 1
        candidate = f"{address}#{n}"
    taken.add(candidate)
    return candidate
