"""The registry of check kinds. A policy names one kind; adding logic means adding a kind here."""

from __future__ import annotations

from soc2iac.checks import (chains_encrypted, condition, cors_origin_restricted, gateway_bypass, iam_statements,
                            numeric_minimum, route_authentication, route_rate_limit, secret_literal)
from soc2iac.checks.base import CheckKind

KINDS: dict[str, CheckKind] = {
    "condition": condition,  # type: ignore[dict-item]
    "numeric_minimum": numeric_minimum,  # type: ignore[dict-item]
    "secret_literal": secret_literal,  # type: ignore[dict-item]
    "iam_statements": iam_statements,  # type: ignore[dict-item]
    "gateway_bypass": gateway_bypass,  # type: ignore[dict-item]
    "route_authentication": route_authentication,  # type: ignore[dict-item]
    "route_rate_limit": route_rate_limit,  # type: ignore[dict-item]
    "cors_origin_restricted": cors_origin_restricted,  # type: ignore[dict-item]
    "chains_encrypted": chains_encrypted,  # type: ignore[dict-item]
}
