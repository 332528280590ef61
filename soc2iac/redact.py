"""Secret redaction and safe value rendering for every message the tool prints."""

from __future__ import annotations

import functools
import re
from typing import Any

from soc2iac.model import Unknown


@functools.lru_cache(maxsize=1)
def secret_patterns() -> dict[str, Any]:
    from importlib import resources

    import yaml

    text = resources.files("soc2iac.data").joinpath("secrets.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


@functools.lru_cache(maxsize=1)
def _key_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    p = secret_patterns()
    return re.compile(p["key_pattern"]), re.compile(p["exclude_key_pattern"])


def is_secret_key(key: str) -> bool:
    include, exclude = _key_res()
    return bool(include.search(key)) and not exclude.search(key)


def redact(value: str) -> str:
    """``hunter2`` -> ``'hu*****' (7 chars)``: enough to recognise, not to use."""
    text = str(value)
    shown = text[:2] if len(text) >= 8 else text[:1] if len(text) >= 4 else ""
    return f"'{shown}{'*' * min(max(len(text) - len(shown), 1), 8)}' ({len(text)} chars)"


def describe(value: Any, path: str = "") -> str:
    """Render a value for a message; values under secret-looking keys are redacted."""
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})"
    last = re.split(r"[.\[\]]", path.rstrip("]"))[-1] if path else ""
    if isinstance(value, str):
        if last and is_secret_key(last):
            return redact(value)
        text = value if len(value) <= 80 else value[:77] + "..."
        return repr(text)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        text = _compact(scrub(value))
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def _compact(value: Any) -> str:
    import json

    try:
        return json.dumps(value, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        return str(value)


def scrub(value: Any, key: str = "") -> Any:
    """A copy of ``value`` with every string under a secret-looking key redacted."""
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, key) for v in value]
    if isinstance(value, str) and key and is_secret_key(key):
        return redact(value)
    if isinstance(value, Unknown):
        return str(value)
    return value
