"""Check kind ``iam_statements``: no Allow statement grants listed actions broadly.

Reads AWS IAM policy documents wherever a resource keeps them: a ``policy``
JSON string (``aws_iam_policy``, bucket and log resource policies), an
already-decoded object (plan JSON), ``statement`` blocks of
``data.aws_iam_policy_document`` and the document a ``policy`` attribute
refers to. A statement fails when it allows one of ``actions`` (wildcards in
the statement are expanded by matching) on every resource (``Resource: *``)
or to every principal (``Principal: *``).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from soc2iac.checks.base import Context, Detail, Outcome
from soc2iac.model import Ref, Resource, Unknown, join_path

EXAMPLE: Mapping[str, Any] = {"kind": "iam_statements", "actions": ["TODO:Action*"]}

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "actions"],
    "properties": {
        "kind": {"const": "iam_statements"},
        "actions": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "document_paths": {"type": "array", "items": {"type": "string"}},
    },
}

_ALL_OF_SERVICE = re.compile(r"^arn:[^:]+:[^:]+:[^:]*:[^:]*:\*$")


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome:
    actions = list(check["actions"])
    statements = list(_statements(resource, check.get("document_paths", ["policy"]), ctx, depth=0))
    bad: list[Detail] = []
    unknown: list[Detail] = []
    for path, stmt in statements:
        if isinstance(stmt, Unknown):
            unknown.append(Detail(path, f"{path} cannot be known statically: {stmt.reason}"))
            continue
        verdict = _statement(stmt, actions)
        if verdict is None:
            continue
        msg = f"{path} allows {verdict}"
        if _has_condition(stmt):
            unknown.append(Detail(path, msg + " under a Condition; review whether it narrows the grant"))
        else:
            bad.append(Detail(path, msg))
    if bad:
        return Outcome("fail", bad[0].message + (f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""), tuple(bad))
    if unknown:
        return Outcome("unknown", unknown[0].message, tuple(unknown))
    return Outcome("pass", f"no statement allows {', '.join(check['actions'][:3])}{'...' if len(actions) > 3 else ''} "
                           f"on all resources or principals ({len(statements)} statements checked)", ())


def _statements(res: Resource, doc_paths: list[str], ctx: Context, depth: int) -> Iterator[tuple[str, Any]]:
    attrs = res.attributes
    for i, block in enumerate(_as_list(attrs.get("statement"))):
        if isinstance(block, Mapping):
            yield join_path("statement", i), _from_block(block)
    for key in doc_paths:
        doc = attrs.get(key)
        if doc is None:
            continue
        if isinstance(doc, Ref) and depth < 3:
            target = ctx.by_address(doc.address, res.scope)
            if target is not None:
                yield from _statements(target, doc_paths, ctx, depth + 1)
                continue
        if isinstance(doc, Unknown):
            yield key, doc
            continue
        if isinstance(doc, str):
            try:
                doc = json.loads(doc)
            except ValueError:
                yield key, Unknown("policy is not valid JSON")
                continue
        if isinstance(doc, Mapping):
            for j, stmt in enumerate(_as_list(doc.get("Statement"))):
                if isinstance(stmt, Mapping):
                    yield f"{key}.Statement[{j}]", stmt


def _from_block(block: Mapping[str, Any]) -> dict[str, Any]:
    """A policy-document ``statement`` block in IAM JSON shape."""
    principals = []
    for p in _as_list(block.get("principals")):
        if isinstance(p, Mapping):
            principals.extend(_as_list(p.get("identifiers")))
    out: dict[str, Any] = {
        "Effect": block.get("effect", "Allow"),
        "Action": block.get("actions"),
        "NotAction": block.get("not_actions"),
        "Resource": block.get("resources"),
        "NotResource": block.get("not_resources"),
    }
    if principals:
        out["Principal"] = principals
    if block.get("condition"):
        out["Condition"] = block["condition"]
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _has_condition(stmt: Mapping[str, Any]) -> bool:
    return bool(stmt.get("Condition"))


def _statement(stmt: Mapping[str, Any], actions: list[str]) -> str | None:
    """What the statement grants too broadly, or None."""
    if str(stmt.get("Effect", "Allow")).lower() != "allow":
        return None
    granted = [a for a in actions if _grants(stmt, a)]
    if not granted:
        return None
    resources = [str(r) for r in _as_list(stmt.get("Resource")) if not isinstance(r, Unknown)]
    principal = stmt.get("Principal")
    wildcard_principal = principal == "*" or (
        isinstance(principal, Mapping) and any("*" in _as_list(v) for v in principal.values())
    ) or (isinstance(principal, list) and "*" in principal)
    wildcard_resource = any(r == "*" or _ALL_OF_SERVICE.match(r) for r in resources) or (
        stmt.get("NotResource") is not None and not resources
    )
    whom = []
    if wildcard_resource:
        whom.append("on all resources")
    if wildcard_principal:
        whom.append("to every principal")
    if not whom:
        return None
    shown = ", ".join(granted[:3]) + ("..." if len(granted) > 3 else "")
    return f"{shown} {' and '.join(whom)}"


def _grants(stmt: Mapping[str, Any], action: str) -> bool:
    action = action.lower()  # IAM action names are case-insensitive
    listed = [str(a).lower() for a in _as_list(stmt.get("Action")) if not isinstance(a, Unknown)]
    if listed:
        return any(fnmatch.fnmatchcase(action, pattern) for pattern in listed)
    excluded = [str(a).lower() for a in _as_list(stmt.get("NotAction")) if not isinstance(a, Unknown)]
    if stmt.get("NotAction") is not None:
        return not any(fnmatch.fnmatchcase(action, pattern) for pattern in excluded)
    return False
