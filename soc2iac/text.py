"""Text shown in one-line messages (errors, notices): the two ways soc2iac makes text one line."""

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
