"""The severity scale, most severe first: the one list policies, results and the CLI use."""

from __future__ import annotations

SEVERITIES = ("critical", "high", "medium", "low", "info")


def at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is ``threshold`` or more severe."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(threshold)
