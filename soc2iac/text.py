"""Text shown in one-line messages (errors, notices): the two ways soc2iac makes text one line,
:func:`printable`, which makes text from outside safe for a terminal or a CI log, and how a message
names the type of a value it rejects."""

from __future__ import annotations

import re

# C0 controls but tab (line breaks included: a new line could start a CI workflow command such as
# GitHub's ``::error``), DEL and C1 (ESC and CSI start terminal sequences, OSC 8 links), the Unicode
# line and paragraph separators, BiDi embeddings, overrides, isolates and marks (text that reads
# differently than it is), and lone surrogates (a file name's undecodable bytes, surrogateescape)
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in (0x0A, 0x0D):
        return "\\n" if code == 0x0A else "\\r"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character :data:`_UNSAFE` names written as ``\\xNN``/``\\uNNNN``
    (a file name's undecodable byte as the byte: ``\\xff``). Idempotent."""
    return text if _UNSAFE.search(text) is None else _UNSAFE.sub(_escaped, text)


def one_line(text: object, limit: int = 200) -> str:
    """Config text quoted in a message: line breaks and other control characters escaped (keys
    and quoted tokens may span lines; an error is one line), at most ``limit`` characters."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return shown if len(shown) <= limit else shown[:limit - 3] + "..."


def squashed(text: object, limit: int | None = None) -> str:
    """A library's message as one line: runs of whitespace (line breaks included) become one space;
    at most ``limit`` characters when given."""
    shown = " ".join(str(text).split())
    return shown if limit is None or len(shown) <= limit else shown[:limit - 3] + "..."


def type_phrase(value: object) -> str:
    """``a string``, ``a number``, ``a map``, ``null`` ...: a value's type as a message names it
    (JSON and YAML terms; the value itself is not shown)."""
    from collections.abc import Mapping

    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "a map"
    names = {bool: "a boolean", str: "a string", int: "a number", float: "a number", list: "a list"}
    return names.get(type(value), type(value).__name__)
