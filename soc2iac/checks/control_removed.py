"""Check kind ``control_removed``: a plan deletes a resource that carries a control.

Evaluated on the world *before* a plan (policies with ``applies_to.world: before``), where each
resource carries the plan's actions on it (``@actions``). ``controls`` maps each resource type to the control it carries (``control``, the words
shown), the criteria that control evidences (``criteria``: a verdict's criteria, a subset of the
policy's) and optionally ``referenced_by``: the instance carries the control only when such
resources point at it (a KMS key counts when a log group or trail uses it). Every deletion of a
carrier fails; a kept carrier passes (the plan keeps it, or replaces it: delete and create in one plan); a resource
that carries no control is out of the policy's scope (no verdict).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soc2iac.checks.base import Context, Detail, Outcome
from soc2iac.model import Resource

EXAMPLE: Mapping[str, Any] = {"kind": "control_removed",
                              "controls": {"TODO_type": {"control": "TODO: the control", "criteria": ["CC8.1"]}}}

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "controls"],
    "properties": {
        "kind": {"const": "control_removed"},
        "controls": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["control", "criteria"],
                "properties": {
                    "control": {"type": "string", "minLength": 1},
                    "criteria": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "referenced_by": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome | None:
    carrier = check["controls"].get(resource.type)
    if carrier is None:
        return None
    edges = carrier.get("referenced_by")
    if edges and not ctx.referenced_by(resource, edges):
        return None
    evidence = (Detail("", f"actions: {', '.join(resource.actions) or 'none'}"),)
    criteria = tuple(carrier["criteria"])
    if "delete" in resource.actions and "create" not in resource.actions:
        return Outcome("fail", f"this plan deletes {resource.address} ({carrier['control']})", evidence,
                       criteria=criteria)
    done = "replaces" if "delete" in resource.actions else "keeps"
    return Outcome("pass", f"this plan {done} {resource.address} ({carrier['control']})", evidence,
                   criteria=criteria)
