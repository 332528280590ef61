"""The registry of check kinds. A policy names one kind; adding logic means adding a kind here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soc2iac.checks import (
    chains_encrypted,
    condition,
    control_removed,
    cors_origin_restricted,
    gateway_bypass,
    gateway_route_policy,
    iam_statements,
    numeric_minimum,
    route_authentication,
    route_rate_limit,
    secret_literal,
)
from soc2iac.checks.base import CheckKind, Context
from soc2iac.model import Resource

KINDS: dict[str, CheckKind] = {
    "condition": condition,
    "numeric_minimum": numeric_minimum,
    "secret_literal": secret_literal,
    "iam_statements": iam_statements,
    "gateway_bypass": gateway_bypass,
    "gateway_route_policy": gateway_route_policy,
    "control_removed": control_removed,
    "route_authentication": route_authentication,
    "route_rate_limit": route_rate_limit,
    "cors_origin_restricted": cors_origin_restricted,
    "chains_encrypted": chains_encrypted,
}


def in_scope(where: Mapping[str, Any], resource: Resource, ctx: Context) -> tuple[bool | None, str, str]:
    """Whether a policy's ``applies_to.where`` condition holds for ``resource`` (None: cannot tell,
    with the reason and its cause). ``where`` uses the ``condition`` kind's language."""
    scope = condition.evaluate_condition(where, resource, ctx)
    return scope.value, scope.reason, scope.cause
