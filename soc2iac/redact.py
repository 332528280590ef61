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


def normalize_key(key: str) -> str:
    """``postgresPassword``, ``token-lifespan``, ``auth.api.key`` -> snake case, so one
    pattern serves Terraform, Kubernetes, Helm and config-file naming styles."""
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)
    return re.sub(r"[-.\s/]+", "_", key).lower()


@functools.lru_cache(maxsize=16384)
def is_secret_key(key: str) -> bool:
    """Whether an attribute or data key names a secret (memoised: the same keys recur)."""
    include, exclude = _key_res()
    norm = normalize_key(key)
    return bool(include.search(norm)) and not exclude.search(norm)


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
        if (last and is_secret_key(last)) or looks_secret(value):
            return redact(value)
        text = value if len(value) <= 80 else value[:77] + "..."
        return repr(text)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        # values of a map are never printed: a map may be Secret data or env
        keys = ", ".join(str(k) for k in list(value)[:6]) + (", ..." if len(value) > 6 else "")
        return f"a map of {len(value)} entr{'y' if len(value) == 1 else 'ies'} ({keys})" if value else "{}"
    if isinstance(value, list):
        text = _compact(scrub(value))
        if any(isinstance(v, (dict, list)) for v in value) or looks_secret(text):
            return f"a list of {len(value)} entr{'y' if len(value) == 1 else 'ies'}"
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def looks_secret(text: str) -> bool:
    """Whether ``text`` holds a high-confidence secret format (AWS key id, private key, ...)."""
    return any(re.search(rx, text) for rx in secret_patterns()["value_patterns"].values())


_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_ASSIGNED = re.compile(r"""\\?["']?[ \t]*[:=][ \t]*(?P<value>[^\n]*)""")
_NAMED = re.compile(r"""(?i)(?:\bname\\?["']?[ \t]*[:=][ \t]*|\bvariable[ \t]+)\\?["']?$""")
_REFERENCE = re.compile(r"(var|local|module|data|each|count|path|terraform|self)\.|\$\{|\$\(|\{\{")
_VALUE_AFTER = re.compile(r"""\b(?:value|default)\\?["']?\s*[:=]\s*(?P<value>[^\n]*)""")
_NEXT_NAME = re.compile(r"""\bname\\?["']?\s*[:=]|\bvariable\s|\n\}""")


def holds_secret_literal(text: str) -> bool:
    """Whether ``text`` (a whole file) may hold a secret value in clear: a high-confidence secret
    format, or a literal under a secret-looking key (``password: x``, ``"token": "x"``, also in
    JSON inside a string) or named by one (``name: DB_PASSWORD`` then ``value: x``, a ``variable
    "db_password"`` with a ``default``). Broad on purpose: what it flags is not written to the
    parse cache (the cache holds no secret in clear). Linear: each secret-looking word is looked
    at once, with what stands just before and after it."""
    if looks_secret(text):
        return True
    include, _ = _key_res()
    done = -1
    for m in include.finditer(text):
        if m.start() < done:
            continue  # a second secret word in the same key
        start, end = m.start(), m.end()
        while start > 0 and text[start - 1] in _WORD:
            start -= 1
        while end < len(text) and text[end] in _WORD:
            end += 1
        done = end
        key = text[start:end].strip(".-")
        if not is_secret_key(key):
            continue
        assigned = _ASSIGNED.match(text, end)
        if assigned is not None and _is_literal(assigned.group("value")):
            return True
        if _NAMED.search(text, max(0, start - 40), start) is not None:
            window = text[end:end + 400]
            following = _NEXT_NAME.search(window)
            value = _VALUE_AFTER.search(window[:following.start()] if following else window)
            if value is not None and _is_literal(value.group("value")):
                return True
    return False


def _is_literal(value: str) -> bool:
    """Whether the text after ``key =``/``key:`` is a literal (not empty, null, a reference or a
    nested block). Heredocs and YAML block scalars count as literals."""
    v = value.strip().lstrip("\\").strip()
    if not v or v[0] in "{[#" or v.startswith("//"):
        return False
    if v[0] in "\"'":
        end = v.find(v[0], 1)
        inner = v[1:end if end > 0 else None].rstrip("\\")
        return bool(inner) and not re.fullmatch(r"(\$\{[^}]*\}|\{\{[^}]*\}\})+", inner)
    if _REFERENCE.match(v):
        return False
    return v.rstrip(",;").strip().lower() not in ("null", "~", "true", "false", "none", "nil")


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
