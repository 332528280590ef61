"""Secret redaction and safe value rendering for every message the tool prints.

One redactor serves reports and the cluster snapshot: :func:`redact_value` walks a
structure, :func:`redact_text` rewrites one string. What counts as a secret:

* a value under a secret-looking key (``password``, ``api_token``, ...), including the
  ``value`` of an env-style ``name``/``value`` pair and the item after a secret flag in
  an argument list (``["--password", "x"]``);
* a high-confidence secret format anywhere (AWS key id, private key, ...): the whole string;
* inside a string: the password of a URL (``postgres://u:PW@h``), a ``Bearer`` token or
  ``Basic`` credentials, a secret command-line flag (``--password=PW``, ``--token PW``),
  a ``key=value`` / ``key: value`` pair with a secret-looking key (env files, properties,
  YAML lines and their block scalars, connection strings), and JSON documents held in a
  string (parsed and redacted recursively, then written back compactly).

Only the secret part is replaced, by ``mark(secret, format)``: :func:`shown` in
reports (``'hu*****' (7 chars)``), :func:`marker` in snapshots
(``soc2iac-redacted:<format>:<length>``, which the ``secret_literal`` kind reads back).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from soc2iac import yaml_load
from soc2iac.model import Unknown

MARKER = "soc2iac-redacted"
Mark = Callable[[str, str], str]  # (secret text, format name) -> what stands in its place
MAX_NESTED_TEXT = 1 << 20  # JSON held in a string is parsed up to this size; a larger one is replaced whole


@functools.lru_cache(maxsize=1)
def secret_patterns() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("soc2iac.data").joinpath("secrets.yaml").read_text(encoding="utf-8")
    return dict(yaml_load.safe_load(text))


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
    if isinstance(value, str):
        return _describe_text(value, _secret_path(path))
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


@functools.lru_cache(maxsize=65536)
def _secret_path(path: str) -> bool:
    """Whether the last key of an attribute path (``env[0].value`` -> ``value``) names a secret."""
    last = re.split(r"[.\[\]]", path.rstrip("]"))[-1] if path else ""
    return bool(last and is_secret_key(last))


@functools.lru_cache(maxsize=65536)
def _describe_text(value: str, secret_key: bool) -> str:
    """A string for a message (memoised: policies describe the same values over and over)."""
    if secret_key or looks_secret(value):
        return redact(value)
    value = redact_text(value)
    text = value if len(value) <= 80 else value[:77] + "..."
    return repr(text)


def looks_secret(text: str) -> bool:
    """Whether ``text`` holds a high-confidence secret format (AWS key id, private key, ...)."""
    return any(rx.search(text) for _, rx in _value_res())


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
    """A copy of ``value`` with every secret in it redacted for a message (see :func:`redact_value`)."""
    return redact_value(value, key)


def shown(secret: str, fmt: str) -> str:
    """How reports show a secret: :func:`redact` (the format is not needed there)."""
    return redact(secret)


def marker(secret: str, fmt: str) -> str:
    """How snapshots replace a secret: ``soc2iac-redacted:<format>:<length>``."""
    return f"{MARKER}:{fmt}:{len(secret)}"


def redact_value(value: Any, key: str = "", *, mark: Mark = shown) -> Any:
    """A copy of ``value`` (maps, lists, strings) with every secret replaced by ``mark``.

    Maps and lists are copied; other values (numbers, booleans, None) are kept;
    :class:`~soc2iac.model.Unknown` becomes its text.
    """
    if isinstance(value, Mapping):
        out = {k: redact_value(v, str(k), mark=mark) for k, v in value.items()}
        name = out.get("name")
        pair_value = out.get("value")
        if isinstance(name, str) and isinstance(pair_value, str) and is_secret_key(name) \
                and pair_value.strip() and not pair_value.startswith(MARKER):
            out["value"] = mark(value["value"], "secret")  # env-style name/value pair
        return out
    if isinstance(value, (list, tuple)):
        items = [redact_value(v, key, mark=mark) for v in value]
        for i in range(1, len(items)):  # ["--password", "PW"]: the argument after a secret flag
            flag, arg = value[i - 1], value[i]
            if isinstance(flag, str) and isinstance(arg, str) and _FLAG_ONLY.match(flag) \
                    and is_secret_key(flag.lstrip("-")) and arg.strip() and not arg.startswith(MARKER):
                items[i] = mark(arg, "secret")
        return items
    if isinstance(value, Unknown):
        value = str(value)
    if isinstance(value, str):
        if key and is_secret_key(key) and value.strip() and not value.startswith(MARKER):
            fmt = _format_of(value)
            return mark(value, fmt or "secret")
        return redact_text(value, mark=mark)
    return value


def redact_text(text: str, *, mark: Mark = shown) -> str:
    """``text`` with every secret inside it replaced by ``mark`` (the rest kept as it is)."""
    if not text or text.startswith(MARKER):
        return text
    fmt = _format_of(text)
    if fmt:
        return mark(text, fmt)  # a known secret format: nothing of the string is kept
    stripped = text.strip()
    if stripped[:1] in "{[" and stripped[-1:] in "}]":
        nested = _redact_json(text, mark)
        if nested is not None:
            return nested
    out = text
    if "://" in out and "@" in out:
        out = _URL_PASSWORD.sub(lambda m: m.group("head") + mark(m.group("pw"), "url-password") + "@", out)
    if "earer" in out or "EARER" in out:
        out = _BEARER.sub(lambda m: m.group("scheme") + mark(m.group("token"), "bearer-token"), out)
    if "Basic" in out or "basic" in out:
        out = _BASIC.sub(lambda m: m.group("scheme") + mark(m.group("token"), "basic-auth")
                         if _is_basic_credential(m.group("token")) else m.group(0), out)
    if "-" in out:
        out = _FLAG.sub(lambda m: _keep_or_mark(m, "flag", mark), out)
    if "=" in out or ":" in out:
        if "\n" in out:
            out = _block_scalars(out, mark)
        out = _PAIR.sub(lambda m: _keep_or_mark(m, "key", mark), out)
    return out


def shown_url(url: str) -> str:
    """A URL as messages and reports show it: any user information (``admin:PASS@``, a token
    as user name) replaced by ``***``; other credentials in it redacted as in :func:`redact_text`."""
    return redact_text(_USERINFO.sub(r"\g<head>***@", url))


def _format_of(text: str) -> str:
    """The name of the high-confidence secret format ``text`` holds, or ``""``."""
    for fmt, rx in _value_res():
        if rx.search(text):
            return fmt
    return ""


@functools.lru_cache(maxsize=1)
def _value_res() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((fmt, re.compile(rx)) for fmt, rx in secret_patterns()["value_patterns"].items())


def _redact_json(text: str, mark: Mark) -> str | None:
    """A JSON document held in a string, redacted and written back compactly; the text unchanged
    when nothing in it is secret; None when it is not JSON (the text rules apply)."""
    if len(text) > MAX_NESTED_TEXT:
        return None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, (dict, list)):
        return None
    try:
        cleaned = redact_value(doc, mark=mark)
    except RecursionError:
        return mark(text, "secret")  # too deep to look through: nothing of it is kept
    if cleaned == doc:
        return text
    return json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")) + ("\n" if text.endswith("\n") else "")


# postgres://user:PASSWORD@host (only the password part; a user name alone is kept)
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@?#]*:)(?P<pw>[^\s@/?#]+)@")
_USERINFO = re.compile(r"(?P<head>^[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@")
_BEARER = re.compile(r"(?P<scheme>\b[Bb]earer\s+|\bBEARER\s+)(?P<token>[A-Za-z0-9\-._~+/]+=*)")
_BASIC = re.compile(r"(?P<scheme>\b[Bb]asic\s+)(?P<token>[A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
# --password=PW, --db-token "PW", -api-key PW
_FLAG = re.compile(r"(?P<head>(?<![\w-])--?(?P<key>[A-Za-z][\w.-]*)(?:=|\s+))"
                   r"(?P<value>\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s\"'-][^\s\"']*)")
_FLAG_ONLY = re.compile(r"^--?[A-Za-z][\w.-]*$")
# password=PW, "api_token": "PW", Password=PW; (connection strings), token: PW (YAML lines)
_PAIR = re.compile(r"(?P<head>(?<![\w.-])(?P<q>[\"']?)(?P<key>[A-Za-z_][\w.-]*)(?P=q)[ \t]*[:=][ \t]*)"
                   r"(?P<value>\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s;,&\"'{}\[\]|>](?:[^;,&\n\"'{}]*[^\s;,&\"'{}])?)")
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)(?P<q>[\"']?)(?P<key>[A-Za-z_][\w.-]*)(?P=q)[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*$")


def _keep_or_mark(match: re.Match[str], fmt: str, mark: Mark) -> str:
    """A flag or key/value pair: its value marked when the key names a secret."""
    value = match.group("value")
    if not is_secret_key(match.group("key")) or value.startswith(MARKER) or value in ('""', "''"):
        return match.group(0)
    quote = value[0] if value[0] in "\"'" and len(value) >= 2 and value[-1] == value[0] else ""
    inner = value[1:-1] if quote else value
    if _PLACEHOLDER.match(inner):
        return match.group(0)
    return match.group("head") + quote + mark(inner, "secret") + quote


_PLACEHOLDER = re.compile(r"^(\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_]\w*|<[^>]*>|\*+|x{3,}|true|false|null|none)$", re.I)


def _block_scalars(text: str, mark: Mark) -> str:
    """YAML block scalars under a secret key (``password: |`` and the lines indented below it)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        block = _BLOCK.match(line)
        if not block or not is_secret_key(block.group("key")):
            continue
        indent = len(block.group("indent"))
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            i -= 1
            body.pop()
        if body:
            pad = min(len(b) - len(b.lstrip()) for b in body if b.strip())
            out.append(" " * pad + mark("\n".join(b[pad:] for b in body), "secret"))
    return "\n".join(out)


def _is_basic_credential(token: str) -> bool:
    """Whether ``token`` is base64 of ``user:password`` (so "Basic authentication" is kept)."""
    import base64
    import binascii

    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and decoded.isprintable()
