"""Kubernetes labels and label selectors (matchLabels, matchExpressions), read as far as they
can be known statically: a value that cannot be known is an :class:`UnknownValue`, never a guess."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from soc2iac.model import Unknown

Labels = dict[str, str]


class UnknownValue:
    """A value that cannot be known statically (a Terraform expression), with the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def scalar(v: Any) -> str | None:
    """A label value as Kubernetes would read it (booleans as true/false), or None for a non-scalar."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (str, int, float)):
        return str(v)
    return None


def label_map(value: Any) -> Labels | None | UnknownValue:
    """A label map (or matchLabels-style selector); None when absent."""
    if value is None:
        return None
    if isinstance(value, Unknown):
        return UnknownValue(f"{value}")
    if not isinstance(value, Mapping):
        return UnknownValue(f"not a map: {value!r}")
    out: Labels = {}
    for k, v in value.items():
        s = scalar(v)
        if s is None:
            return UnknownValue(f"label {k} cannot be known statically")
        out[str(k)] = s
    return out


def subset(small: Mapping[str, str], big: Mapping[str, str]) -> bool:
    """Whether every label of ``small`` is in ``big`` (a map selector matching a label set)."""
    return all(big.get(k) == v for k, v in small.items())


def show_labels(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in labels.items()) or "(all)"


@dataclass(frozen=True)
class LabelSelector:
    """A metav1.LabelSelector (matchLabels and matchExpressions)."""

    match_labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.match_labels and not self.expressions

    def matches(self, labels: Mapping[str, str]) -> bool | None:
        """Whether the selector selects ``labels``; None for an operator it does not know."""
        if any(labels.get(k) != v for k, v in self.match_labels):
            return False
        for key, op, values in self.expressions:
            if op == "In":
                ok = labels.get(key) in values
            elif op == "NotIn":
                ok = labels.get(key) not in values
            elif op == "Exists":
                ok = key in labels
            elif op == "DoesNotExist":
                ok = key not in labels
            else:
                return None
            if not ok:
                return False
        return True

    def pinned(self, key: str) -> set[str] | None:
        """The values ``key`` is pinned to (matchLabels or In), or None when it is not."""
        found: set[str] | None = None
        for k, v in self.match_labels:
            if k == key:
                found = {v} if found is None else found & {v}
        for k, op, values in self.expressions:
            if k == key and op == "In":
                found = set(values) if found is None else found & set(values)
        return found

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels]
        for k, op, values in self.expressions:
            parts.append(f"{k} {op.lower()} ({','.join(values)})" if values else f"{k} {op}")
        return ", ".join(parts) or "{} (everything)"


def label_selector(value: Any) -> LabelSelector | UnknownValue:
    """A metav1.LabelSelector mapping; an absent one selects everything."""
    if value is None:
        return LabelSelector()
    if not isinstance(value, Mapping):
        return UnknownValue("selector cannot be known statically")
    ml = label_map(value.get("matchLabels"))
    if isinstance(ml, UnknownValue):
        return ml
    exprs: list[tuple[str, str, tuple[str, ...]]] = []
    raw = value.get("matchExpressions") or []
    if not isinstance(raw, list):
        return UnknownValue("matchExpressions cannot be known statically")
    for e in raw:
        if not isinstance(e, Mapping) or not isinstance(e.get("key"), str) or not isinstance(e.get("operator"), str):
            return UnknownValue("a matchExpression cannot be known statically")
        vals = e.get("values") or []
        if not isinstance(vals, list) or any(scalar(v) is None for v in vals):
            return UnknownValue("matchExpression values cannot be known statically")
        exprs.append((e["key"], e["operator"], tuple(str(scalar(v)) for v in vals)))
    return LabelSelector(tuple(sorted((ml or {}).items())), tuple(exprs))
