"""Terraform's values in Python, and the rules every expression and function shares.

Values are Python's: str, int, float, bool, None, list (tuples, lists and sets; a set is kept
sorted and without duplicates, as Terraform orders it), dict (objects and maps), and
:class:`~soc2iac.model.Unknown` for what is known only at apply time (or not evaluated here).
An expression Terraform would reject raises :class:`EvalError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from soc2iac.model import Ref, Unknown


class EvalError(Exception):
    """An expression Terraform would reject (or a function call that fails)."""


def refs_of(value: Any) -> list[str]:
    """Addresses a value refers to: a Ref's target, an Unknown's refs, inside collections too."""
    if isinstance(value, Ref):
        return [value.address, *value.refs]
    if isinstance(value, Unknown):
        return list(value.refs)
    if isinstance(value, list):
        return [a for v in value for a in refs_of(v)]
    if isinstance(value, Mapping):
        return [a for v in value.values() for a in refs_of(v)]
    return []


def first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        for v in value:
            u = first_unknown(v)
            if u is not None:
                return u
    elif isinstance(value, Mapping):
        for v in value.values():
            u = first_unknown(v)
            if u is not None:
                return u
    return None


def unknown(reason: str, *sources: Any, cause: str = "") -> Unknown:
    """An Unknown with ``reason`` that mentions every resource ``sources`` mention (and keeps the
    cause of the first unknown among them, unless ``cause`` is given)."""
    if not cause:
        cause = next((u.cause for s in sources for u in (s if isinstance(s, list) else [s])
                      if isinstance(u, Unknown) and u.cause), "")
    return Unknown(reason, refs=tuple(dict.fromkeys(a for s in sources for a in refs_of(s))), cause=cause)


# ---------------------------------------------------------------------------
# conversions
# ---------------------------------------------------------------------------
def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(value: Any) -> int | float:
    if is_number(value):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", value.strip()):
        return normal_number(float(value)) if any(c in value for c in ".eE") else int(value)
    raise EvalError(f"a number is required, not {type_name(value)}")


def normal_number(value: float) -> int | float:
    """A whole float as an int (Terraform has one number type: 2.0 is 2)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"a bool is required, not {type_name(value)}")


def text(value: Any) -> str:
    """A primitive as Terraform writes it into a string; collections and null are errors."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        value = normal_number(value)
        return str(value) if isinstance(value, int) else repr(value)
    if value is None:
        raise EvalError("a null value cannot be used in a string")
    raise EvalError(f"a {type_name(value)} cannot be used as a string")


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "map"
    return type(value).__name__


def as_list(value: Any, fn: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise EvalError(f"{fn}() needs a list, not {type_name(value)}")


def as_map(value: Any, fn: str) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise EvalError(f"{fn}() needs a map, not {type_name(value)}")


def as_text(value: Any, fn: str) -> str:
    if isinstance(value, (list, Mapping)) or value is None:
        raise EvalError(f"{fn}() needs a string, not {type_name(value)}")
    return text(value)


def to_set(items: list[Any]) -> list[Any] | Unknown:
    """Terraform's set order: strings lexically, numbers by value; duplicates dropped."""
    u = first_unknown(items)
    if u is not None:
        return unknown(f"a set of values not known statically ({u.reason})", items)
    if all(isinstance(i, str) for i in items):
        return sorted(set(items))
    if all(is_number(i) for i in items):
        return sorted(set(items))
    if all(not isinstance(i, (list, Mapping)) and i is not None for i in items):
        return sorted({text(i) for i in items})  # mixed primitives unify to strings
    seen: dict[str, Any] = {}
    for i in items:
        seen.setdefault(json.dumps(i, sort_keys=True), i)
    return list(seen.values())
