"""Text shown in one-line messages (errors, notices): the two ways soc2iac makes text one line,
and how a message names the type of a value it rejects."""

from __future__ import annotations


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
