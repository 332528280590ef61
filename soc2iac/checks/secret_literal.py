"""Check kind ``secret_literal``: no secret is written literally into the config.

Looks at attributes whose key looks secret (``password``, ``token``, ...),
at ``name``/``value`` pair lists (Kubernetes ``env``), at explicit ``paths``,
and at any string matching a high-confidence secret format (AWS key ids,
private keys, ...). A value that refers to a secret store, a variable or a
resource is not a literal. Messages show only a redacted form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from soc2iac.checks.base import Context, Detail, Outcome
from soc2iac.model import MISSING, VIEW_KEYS, Resource, Unknown, join_path, resolve
from soc2iac.redact import is_secret_key, redact, secret_patterns

EXAMPLE: Mapping[str, Any] = {"kind": "secret_literal", "scan_keys": [""], "value_patterns": True}

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"const": "secret_literal"},
        "scan_keys": {"type": "array", "items": {"type": "string"},
                      "description": "Paths to walk recursively for secret-looking keys ('' = all attributes)."},
        "paths": {"type": "array", "items": {"type": "string"},
                  "description": "Paths whose literal string value is a secret whatever the key."},
        "paths_finding": {"type": "string", "minLength": 3,
                          "description": "What a literal at `paths` means, as the finding's opening words "
                                         "[default: '<path> holds a literal secret']; e.g. 'Secret data is "
                                         "committed in the manifest', data which need not look secret."},
        "pairs": {
            "type": "array",
            "items": {"type": "object", "additionalProperties": False, "required": ["list"],
                      "properties": {"list": {"type": "string"}, "name": {"type": "string"},
                                     "value": {"type": "string"}}},
        },
        "value_patterns": {"type": "boolean", "description": "Also flag high-confidence secret formats anywhere."},
    },
}


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    p = secret_patterns()
    values = {name: re.compile(rx) for name, rx in p["value_patterns"].items()}
    return re.compile(p["reference_value_pattern"]), values


@functools.lru_cache(maxsize=1)
def _placeholder() -> re.Pattern[str]:
    return re.compile(secret_patterns()["placeholder_value_pattern"])


REDACTED = "soc2iac-redacted:"  # soc2iac.cluster.snapshot's marker for a value it removed
_BOOLEAN_OR_NUMBER = re.compile(r"^(true|false|yes|no|on|off|\d{1,7})$", re.IGNORECASE)


def _literal_text(value: Any) -> str | None:
    """The literal text a value commits to the repository: a string, or the literal
    parts of a template such as ``"Hunter2${var.suffix}"``; None when nothing literal."""
    if isinstance(value, Unknown):
        text = value.literal
        return text if len(re.sub(r"[\W_]", "", text)) >= 6 else None
    return value if isinstance(value, str) else None


def _is_literal(value: Any) -> bool:
    reference, _ = _patterns()
    text = _literal_text(value)
    if text is None or not text.strip():
        return False
    text = text.strip()
    return not reference.search(text) and not _BOOLEAN_OR_NUMBER.match(text) and not _placeholder().match(text)


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome:
    found: dict[str, Detail] = {}
    checked = 0
    for root in check.get("scan_keys", []):
        for base, value in _roots(resource.attributes, root):
            for path, key, leaf in _walk(value, base):
                checked += 1
                if is_secret_key(key) and _is_literal(leaf):
                    found.setdefault(path, Detail(path, f"{key} holds a literal secret {_shown(leaf)}"))
    for pair in check.get("pairs", []):
        name_key, value_key = pair.get("name", "name"), pair.get("value", "value")
        for base, items in resolve(resource.attributes, pair["list"]):
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if not isinstance(item, Mapping):
                    continue
                checked += 1
                name, value = item.get(name_key), item.get(value_key)
                if isinstance(name, str) and is_secret_key(name) and _is_literal(value):
                    path = join_path(join_path(base, i), value_key)
                    found.setdefault(path, Detail(path, f"{name} is set to a literal secret {_shown(value)}"))
    for target in check.get("paths", []):
        for path, value in resolve(resource.attributes, target):
            checked += 1
            if value is not MISSING and _is_literal(value):
                finding = check.get("paths_finding")
                found.setdefault(path, Detail(path, f"{finding}: {path} is {_shown(value)}" if finding
                                              else f"{path} holds a literal secret {_shown(value)}"))
    if check.get("value_patterns", True):
        _, formats = _patterns()
        for path, _key, leaf in _walk(resource.attributes, ""):
            text = leaf.literal if isinstance(leaf, Unknown) else leaf
            if isinstance(text, str) and text.startswith(REDACTED):  # a snapshot's marker keeps its format
                fmt = text.split(":")[1] if text.count(":") >= 2 else "secret"
                if fmt != "secret":
                    found.setdefault(path, Detail(path, f"{path} contains a literal {fmt} (redacted in the snapshot)"))
                continue
            if isinstance(text, str):
                for plain, how in ((text, ""), (_decoded(text), " (base64-encoded)")):
                    hit = _format_in(plain, formats) if plain else None
                    if hit:
                        fmt, secret = hit
                        found.setdefault(path, Detail(path, f"{path} contains a literal {fmt}{how} {redact(secret)}"))
                        break
    if found:
        details = tuple(sorted(found.values(), key=lambda d: (resource.line_of(d.path), d.path)))
        more = f" (+{len(details) - 1} more)" if len(details) > 1 else ""
        return Outcome("fail", details[0].message + more, details)
    return Outcome("pass", f"no literal secret found ({checked} secret-capable attributes checked)", ())


def _format_in(text: str, formats: Mapping[str, re.Pattern[str]]) -> tuple[str, str] | None:
    """The first high-confidence secret format in ``text``: (format name, matched text)."""
    for fmt, rx in formats.items():
        match = rx.search(text)
        if match:
            return fmt, match.group(0)
    return None


_BASE64 = re.compile(r"^[A-Za-z0-9+/\s]{32,}={0,2}\s*$")
MAX_DECODED = 1 << 20  # a decoded (and gunzipped) value is scanned up to this size


def _decoded(text: str) -> str:
    """The text a base64 value holds (``user_data_base64``, ``base64encode(...)``, cloud-init's
    ``base64gzip``), '' when it is no base64 of text."""
    if len(text) > 4 * MAX_DECODED or not _BASE64.match(text):
        return ""
    import base64
    import binascii
    import zlib

    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
        if raw[:2] == b"\x1f\x8b":  # gzip
            inflater = zlib.decompressobj(wbits=31)
            raw = inflater.decompress(raw, MAX_DECODED)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError):
        return ""


def _roots(attrs: Mapping[str, Any], root: str) -> Iterator[tuple[str, Any]]:
    if root == "":
        yield "", attrs
    else:
        for path, value in resolve(attrs, root):
            if value is not MISSING:
                yield path, value


def _walk(value: Any, here: str, key: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not here and k in VIEW_KEYS:
                continue  # a view of attributes walked anyway
            yield from _walk(v, join_path(here, str(k)), str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, join_path(here, i), key)
    elif not isinstance(value, Unknown) or value.literal:
        yield here, key, value


def _shown(value: Any) -> str:
    if isinstance(value, str) and value.startswith(REDACTED):
        return "(value redacted when collected)"
    if isinstance(value, Unknown):
        return f"in a template {redact(value.literal.strip())}"
    return redact(str(value))
