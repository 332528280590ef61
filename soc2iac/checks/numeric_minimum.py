"""Check kind ``numeric_minimum``: a number at ``path`` is at least ``minimum``.

``absent`` says what an unset attribute means for the product: ``forever``
(e.g. a CloudWatch log group without retention never expires: a pass that says
so), ``fail``, or a documented default number via ``default``. With
``zero_means_forever`` a 0 is read as "never expires". Every match of a
wildcard path must hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soc2iac.checks.base import Context, Detail, Outcome, combine
from soc2iac.model import CAUSE_APPLY, MISSING, Ref, Resource, Unknown, resolve

EXAMPLE: Mapping[str, Any] = {"kind": "numeric_minimum", "path": "TODO_days", "minimum": 365, "unit": "days",
                              "absent": "fail"}

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "path", "minimum"],
    "properties": {
        "kind": {"const": "numeric_minimum"},
        "path": {"type": "string"},
        "minimum": {"type": "number"},
        "unit": {"type": "string"},
        "absent": {"enum": ["forever", "fail", "default"]},
        "default": {"type": "number"},
        "default_note": {"type": "string"},
        "zero_means_forever": {"type": "boolean"},
    },
}


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome:
    minimum = float(check["minimum"])
    unit = check.get("unit", "")
    shown_min = amount(check["minimum"], unit)
    details: list[tuple[str, Detail]] = []
    cause = ""
    for path, value in resolve(resource.attributes, check["path"]):
        details.append(_one(path, value, minimum, shown_min, unit, check))
        if isinstance(value, Unknown) and not cause:
            cause = value.cause or CAUSE_APPLY
    if not details:
        return Outcome("pass", f"{check['path']} has no entries", ())
    for verdict in ("fail", "unknown"):
        bad = [d for v, d in details if v == verdict]
        if bad:
            return Outcome(verdict, combine(bad), tuple(bad), cause=cause if verdict == "unknown" else "")
    good = [d for _, d in details]
    return Outcome("pass", combine(good), tuple(good))


def amount(number: Any, unit: str) -> str:
    """``365 days``, ``1 day``, ``0.5 days``: the number (``:g`` when a float) with its unit,
    singular for exactly one (units are given in the plural)."""
    shown = f"{number:g}" if isinstance(number, float) else f"{number}"
    if not unit:
        return shown
    if unit.endswith("s") and isinstance(number, (int, float)) and not isinstance(number, bool) and number == 1:
        unit = unit[:-1]
    return f"{shown} {unit}"


def _one(path: str, value: Any, minimum: float, shown_min: str, unit: str,
         check: Mapping[str, Any]) -> tuple[str, Detail]:
    if value is MISSING or value is None:
        absent = check.get("absent", "fail")
        if absent == "forever":
            return "pass", Detail(path, f"{path} is not set: kept forever (never expires), meets the {shown_min} minimum")
        if absent == "default" and "default" in check:
            value = check["default"]
            note = check.get("default_note", "the documented default")
            ok = float(value) >= minimum
            msg = f"{path} is not set; {note} is {amount(value, unit)}"
            return ("pass" if ok else "fail"), Detail(path, msg + ("" if ok else f", below the {shown_min} minimum"))
        return "fail", Detail(path, f"{path} is not set; at least {shown_min} is required")
    if isinstance(value, Ref) or isinstance(value, Unknown):
        reason = value.reason
        return "unknown", Detail(path, f"{path} cannot be known statically: {reason}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "fail", Detail(path, f"{path} is {value!r}, not a number")
    if number == 0 and check.get("zero_means_forever"):
        return "pass", Detail(path, f"{path} is 0: kept forever (never expires), meets the {shown_min} minimum")
    shown = amount(number, unit)
    if number >= minimum:
        return "pass", Detail(path, f"{path} is {shown}, meets the {shown_min} minimum")
    return "fail", Detail(path, f"{path} is {shown}, below the {shown_min} minimum")
