"""A regular expression said in words, for messages (``^(TLS1_2|TLS1_3)$`` -> ``'TLS1_2' or
'TLS1_3'``; ``^required`` -> ``a value starting with 'required'``).

Only the patterns a reader can take in at a glance are worded: literal text, alternatives,
small character classes (``1[.][23]``), anchors and the ``(?i)`` flag, up to a few
alternatives. Anything else is ``None``: the caller says what the pattern is for (a policy's
``expected`` wording) or that the value did not fit the policy's pattern.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

# the standard library's own regex parser (re._parser since 3.11; sre_parse is deprecated):
# what it parses is exactly what re.search runs
from re import _constants as _c, _parser as _p

MAX_ALTERNATIVES = 6


class _TooHard(Exception):
    pass


@functools.lru_cache(maxsize=256)
def words(pattern: str, *, negated: bool = False) -> str | None:
    """What a value matching ``pattern`` looks like (``negated``: not matching it), or None."""
    try:
        parsed = _p.parse(pattern)
    except (re.error, RecursionError):
        return None
    items = list(parsed)
    start = bool(items) and items[0] == (_c.AT, _c.AT_BEGINNING)
    end = bool(items) and items[-1] == (_c.AT, _c.AT_END)
    body = items[int(start):len(items) - int(end)]
    try:
        texts = _alternatives(body)
    except _TooHard:
        return None
    if not texts or any(not t for t in texts) or len(texts) > MAX_ALTERNATIVES:
        return None
    unique = [repr(t) for t in dict.fromkeys(texts)]
    if not negated:
        shown = " or ".join(unique)
    else:
        shown = unique[0] if len(unique) == 1 else "none of " + ", ".join(unique)
    case = " (any case)" if parsed.state.flags & re.IGNORECASE else ""
    if start and end:
        return f"{'anything but ' if negated and len(unique) == 1 else ''}{shown}{case}"
    where = "starting with" if start else "ending with" if end else "containing"
    return f"a value {'not ' if negated and len(unique) == 1 else ''}{where} {shown}{case}"


def _alternatives(items: list[tuple[Any, Any]]) -> list[str]:
    """Every text the sequence ``items`` matches (few, literal), or raise _TooHard."""
    out = [""]
    for op, arg in items:
        if op is _c.LITERAL:
            choices = [chr(arg)]
        elif op is _c.IN:
            choices = _in(arg)
        elif op is _c.SUBPATTERN:
            choices = _alternatives(list(arg[-1]))
        elif op is _c.BRANCH:
            choices = [t for branch in arg[1] for t in _alternatives(list(branch))]
        elif op is _c.MAX_REPEAT and arg[0] == 0 and arg[1] == 1:  # (...)? : without, then with
            choices = ["", *_alternatives(list(arg[2]))]
        else:
            raise _TooHard
        out = [a + b for a, b in itertools.product(out, choices)]
        if len(out) > MAX_ALTERNATIVES:
            raise _TooHard
    return out


def _in(arg: list[tuple[Any, Any]]) -> list[str]:
    chars = []
    for op, value in arg:
        if op is not _c.LITERAL:
            raise _TooHard
        chars.append(chr(value))
    return chars


__all__ = ["words"]
