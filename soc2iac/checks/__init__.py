"""The registry of check kinds. A policy names one kind; adding logic means adding a kind here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soc2iac.checks import (
    condition,
    control_removed,
    gateway_bypass,
    iam_statements,
    numeric_minimum,
    secret_literal,
)
from soc2iac.checks.base import CheckKind, Context
from soc2iac.model import Resource

KINDS: dict[str, CheckKind] = {
    "condition": condition,  # type: ignore[dict-item]
    "numeric_minimum": numeric_minimum,  # type: ignore[dict-item]
    "secret_literal": secret_literal,  # type: ignore[dict-item]
    "iam_statements": iam_statements,  # type: ignore[dict-item]
    "gateway_bypass": gateway_bypass,  # type: ignore[dict-item]
    "control_removed": control_removed,  # type: ignore[dict-item]
}


def in_scope(where: Mapping[str, Any], resource: Resource, ctx: Context) -> tuple[bool | None, str]:
    """Whether a policy's ``applies_to.where`` condition holds for ``resource`` (None: cannot tell,
    with the reason). ``where`` uses the ``condition`` kind's language."""
    scope = condition.evaluate_condition(where, resource, ctx)
    return scope.value, scope.reason
