"""Check kind ``cors_origin_restricted``: no Access-Control-Allow-Origin header an nginx
location sends lets every origin read its responses.

Reads the header descriptions at ``headers`` (default ``cors_allow_origin``; the nginx
parser gives each header's value as ``written``, the ``map`` it names, the ``condition``
of the ``if`` it is sent in, and the variables ``set`` inside ``if`` blocks). A header
fails when its effective value is one of ``any_origin`` (default ``*`` and
``$http_origin``, the request's own Origin echoed back) and it is not restricted:

- a value taken from a ``map $http_origin`` is ``$http_origin`` when an entry passes any
  origin through (the default, or a regex that matches anything), ``*`` when an entry
  gives ``*``, else an allow-list, which restricts it;
- a header sent only inside an ``if`` that matches ``$http_origin`` against a specific
  pattern (``~``, ``~*`` or ``=``), or that tests a variable ``set`` inside such an ``if``
  (``if ($http_origin ~ ...) { set $cors on; }``), is restricted.

Passes: ``add_header Access-Control-Allow-Origin $cors_origin`` with
``map $http_origin $cors_origin { default ""; "~^https://app\\.example\\.com$" $http_origin; }``.
Fails: ``add_header Access-Control-Allow-Origin *;`` in a location that proxies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from soc2iac.checks.base import Context, Detail, Outcome
from soc2iac.model import Resource, join_path, resolve
from soc2iac.redact import describe

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"const": "cors_origin_restricted"},
        "headers": {"type": "string", "description": "Path of the Access-Control-Allow-Origin header descriptions."},
        "any_origin": {"type": "array", "items": {"type": "string"},
                       "description": "Effective values that let every origin in."},
    },
}

# regexes that match any origin (or any https origin): an `if` or map entry using one restricts nothing
TRIVIAL_ORIGIN_RE = frozenset({"", ".*", "^.*$", ".+", "^.+$", "^.*", ".*$", "^https?://.*$", "^https?://.*",
                               "https?://.*", "^http", "^https", "http", "https", "://"})


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome:
    where = str(check.get("headers") or "cors_allow_origin")
    any_origin = list(check.get("any_origin") or ["*", "$http_origin"])
    checked = 0
    for path, headers in resolve(resource.attributes, where):
        for i, header in enumerate(headers if isinstance(headers, list) else []):
            checked += 1
            value, gated = effective(header if isinstance(header, Mapping) else {})
            if value in any_origin and not gated:
                at = join_path(path, i)
                message = f"{at}.value is {describe(value, f'{at}.value')}; {at}.gated is false"
                return Outcome("fail", message, (Detail(f"{at}.value", message),))
    message = f"no entry of {where} matches ({checked} checked)"
    return Outcome("pass", message, (Detail(where, message),))


def effective(header: Mapping[str, Any]) -> tuple[str, bool]:
    """The value a header sends as far as origins go, and whether it is sent only for
    restricted origins (``gated``)."""
    value = str(header.get("written", ""))
    variables = {v for s in _list(header.get("sets_under_if")) if isinstance(s, Mapping)
                 and gates_origin(_list(s.get("condition")), set()) for v in _list(s.get("variables"))}
    condition = header.get("condition")
    gated = isinstance(condition, list) and gates_origin(condition, variables)
    mp = header.get("map")
    if isinstance(mp, Mapping):
        value = map_origin(mp)
        gated = gated or value != "$http_origin"
    return value, gated


def gates_origin(cond: Sequence[str], gating_vars: set[str]) -> bool:
    """Whether an ``if`` condition restricts on the request's Origin."""
    if not cond:
        return False
    var = cond[0]
    if var == "$http_origin" and len(cond) == 3 and cond[1] in ("~", "~*", "="):
        return cond[2].strip() not in TRIVIAL_ORIGIN_RE
    return any(var == v or var.startswith(v) for v in gating_vars)


def map_origin(mp: Mapping[str, Any]) -> str:
    """``$http_origin`` when a ``map $http_origin $x {...}`` lets any origin through, ``*``
    when it gives ``*``, else a description of the allow-list."""
    source = str(mp.get("source") or "")
    if source != "$http_origin":
        return f"<map of {source or '?'}>"
    for entry in _list(mp.get("entries")):
        key, value = (str(entry[0]), str(entry[1])) if isinstance(entry, list) and len(entry) == 2 else ("", "")
        if value == "$http_origin" and (key == "default" or key.lstrip("~*") in TRIVIAL_ORIGIN_RE):
            return "$http_origin"
        if value == "*":
            return "*"
    return f"<allow-list map {mp.get('variable')}>"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
