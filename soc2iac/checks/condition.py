"""Check kind ``condition``: a three-valued assertion language over attributes.

A condition is a leaf ``{path, op, value, default}``, a combination
(``all``, ``any``, ``not``), a quantifier over a list (``each``/``some``/``none``
with ``that``), or a lookup of related resources (``related`` with
``quantifier`` and ``that``). Each evaluates to true, false or unknown
(``None``); unknown is never turned into a pass. A default that changed across provider
releases is stated with ``earlier_defaults`` (``provider`` and ``{below, default, note}``
entries): Terraform source is judged on every default the versions admitted by its
``required_providers`` and ``.terraform.lock.hcl`` give (they disagree: unknown; all weak: fail).

``{when: c1, then: c2}`` applies c2 only where c1 holds (true otherwise), e.g. to
branch on ``@type`` when one policy covers resources with different attribute names.

Leaf paths use dots and ``[n]``/``[*]``; ``@type``, ``@name``, ``@address``
and ``@namespace`` name the resource itself. A leaf's ``expected`` says the compliant
value in words for messages; a ``matches``/``not_matches`` pattern is otherwise said in
words when it is simple (:mod:`soc2iac.checks.pattern_words`), never shown as a regex.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from soc2iac.checks import pattern_words
from soc2iac.checks.base import Context, Detail, Outcome, Verdict
from soc2iac.model import (CAUSE_APPLY, CAUSE_EVALUATOR, CAUSE_UNREAD, MISSING, Ref, Resource, Unknown, join_path,
                           pseudo, resolve)
from soc2iac.redact import describe

EXAMPLE: Mapping[str, Any] = {  # what `soc2iac policies new --kind condition` starts from
    "kind": "condition",
    "condition": {"path": "TODO.attribute", "op": "equals", "value": True, "default": False,
                  "default_note": "TODO: the product default"},
}

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "condition"],
    "properties": {
        "kind": {"const": "condition"},
        "condition": {"$ref": "policy.schema.json#/$defs/condition"},
    },
}


@dataclass(frozen=True)
class Eval:
    value: bool | None
    path: str
    reason: str
    vacuous: bool = False  # true only because nothing was there to check (a false `when`, no entries)
    cause: str = ""  # when unknown: why (soc2iac.model.CAUSES)


_NEGATIVE_OPS = {"absent", "empty", "falsy", "not_equals", "not_in", "not_contains", "contains_none", "not_matches"}
_SET_OPS = {"exists", "not_empty", "truthy"}


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome | None:
    result = evaluate_condition(check["condition"], resource, ctx)
    if result.value is True and result.vacuous:
        return None  # nothing was checked: not applicable, never a pass
    verdict: Verdict = "pass" if result.value is True else "fail" if result.value is False else "unknown"
    return Outcome(verdict, result.reason, (Detail(result.path, result.reason),),
                   cause=result.cause if verdict == "unknown" else "")


def evaluate_condition(cond: Mapping[str, Any], resource: Resource, ctx: Context) -> Eval:
    return _eval(cond, resource, resource.attributes, "", ctx)


def _eval(cond: Mapping[str, Any], res: Resource, node: Any, base: str, ctx: Context) -> Eval:
    if "all" in cond:
        results = [_eval(c, res, node, base, ctx) for c in cond["all"]]
        return _worst(results) or Eval(True, results[0].path, _reasons(results),
                                       vacuous=all(r.vacuous for r in results))
    if "any" in cond:
        results = [_eval(c, res, node, base, ctx) for c in cond["any"]]
        return _best(results) or Eval(False, results[0].path, _reasons(results))
    if "when" in cond:
        guard = _eval(cond["when"], res, node, base, ctx)
        if guard.value is False:
            return Eval(True, guard.path, f"not applicable: {guard.reason}", vacuous=True)
        if guard.value is None:
            return guard
        return _eval(cond["then"], res, node, base, ctx)
    if "not" in cond:
        r = _eval(cond["not"], res, node, base, ctx)
        return Eval(None if r.value is None else not r.value, r.path, r.reason, cause=r.cause)
    for quant in ("each", "some", "none"):
        if quant in cond:
            return _quantified(quant, cond[quant], cond["that"], res, node, base, ctx)
    if "related" in cond:
        return _related(cond, res, ctx)
    return _leaf(cond, res, node, base)


def _quantified(quant: str, path: str, that: Mapping[str, Any], res: Resource, node: Any, base: str,
                ctx: Context) -> Eval:
    items: list[tuple[str, Any]] = []
    for cpath, value in resolve(node, path):
        full = _full(base, cpath)
        if value is MISSING or value is None:
            continue
        if isinstance(value, Unknown):
            return Eval(None, full, f"{full} is {describe(value)}", cause=_cause(value))
        if isinstance(value, list):
            items.extend((join_path(full, i), v) for i, v in enumerate(value))
        else:
            items.append((full, value))
    results = [_eval(that, res, v, p, ctx) for p, v in items]
    where = _full(base, path)
    if quant == "each":
        return _worst(results) or (Eval(True, where, f"every entry of {where} holds ({len(results)})",
                                        vacuous=all(r.vacuous for r in results)) if results
                                   else Eval(True, where, f"{where} has no entries", vacuous=True))
    hits = [r for r in results if r.value is True]
    unknown = [r for r in results if r.value is None]
    if quant == "some":
        if hits:
            return hits[0]
        if unknown:
            return unknown[0]
        return Eval(False, where, f"no entry of {where} matches" + (f" ({results[0].reason})" if results else ""))
    # none
    if hits:
        return Eval(False, hits[0].path, hits[0].reason)
    if unknown:
        return unknown[0]
    return Eval(True, where, f"no entry of {where} matches ({len(results)} checked)")


def _related(cond: Mapping[str, Any], res: Resource, ctx: Context) -> Eval:
    spec = cond["related"]
    quant = cond.get("quantifier", "some")
    that = cond.get("that")
    kinds = "/".join(spec["types"])
    results = []
    for r, certain in ctx.related(res, spec):
        e = _eval(that, r, r.attributes, "", ctx) if that else Eval(True, "", "exists")
        if not certain and e.value is True:  # it only may refer to this resource
            e = Eval(None, e.path, f"{r.address} may refer to {res.address} (through an expression only known "
                                   f"at plan time), so whether it applies is unknown", cause=CAUSE_APPLY)
        results.append((r, e))
    # objects of a kind that could not be read may match: only what was read and decides stands
    gap = ctx.unread_related(res, spec)
    unread = Eval(None, "", f"not evaluated: {gap}", cause=CAUSE_UNREAD) if gap else None
    if quant == "some":
        for r, e in results:
            if e.value is True:
                return Eval(True, "", f"{r.address} ({r.location}) applies: {e.reason}")
        if unread:
            return unread
        for r, e in results:
            if e.value is None:
                return Eval(None, "", f"{r.address}: {e.reason}", cause=e.cause)
        if results:
            return Eval(False, "", f"related {kinds} found but none holds: {results[0][1].reason}")
        return Eval(False, "", f"no {kinds} refers to {res.address}")
    if quant == "all":
        for want in (False, None):
            for r, e in results:
                if e.value is want:
                    return Eval(want, "", f"{r.address} ({r.location}): {e.reason}", cause=e.cause)
            if unread and want is False:
                return unread
        return Eval(True, "", f"all {len(results)} related {kinds} hold" if results else f"no {kinds} refers to it")
    for r, e in results:  # none
        if e.value is True:
            return Eval(False, "", f"{r.address} ({r.location}): {e.reason}")
    if unread:
        return unread
    for r, e in results:
        if e.value is None:
            return Eval(None, "", f"{r.address}: {e.reason}", cause=e.cause)
    return Eval(True, "", f"no related {kinds} matches ({len(results)} checked)")


def _cause(value: Unknown) -> str:
    """Why ``value`` is unknown: as its producer said, else only known at plan or apply time."""
    return value.cause or CAUSE_APPLY


def _full(base: str, path: str) -> str:
    if not base:
        return path
    return f"{base}{path}" if path.startswith("[") else f"{base}.{path}" if path else base


def _leaf(cond: Mapping[str, Any], res: Resource, node: Any, base: str) -> Eval:
    path = cond["path"]
    op = cond["op"]
    expected = cond.get("value")
    if path.startswith("@"):
        matches = [(path, pseudo(res, path))]
    else:
        matches = [(_full(base, p), v) for p, v in resolve(node, path)]
    results = [_compare(op, expected, cond, p, v, res) for p, v in matches]
    if not results:
        where = _full(base, path)
        return Eval(True, where, f"{where} has no entries")
    if cond.get("quantifier") == "any":
        return _best(results) or results[0]
    worst = _worst(results)
    if worst is not None:
        return worst
    return results[0] if len(results) == 1 else Eval(True, results[0].path, _reasons(results))


def _reasons(results: list[Eval]) -> str:
    return "; ".join(dict.fromkeys(r.reason for r in results))


def _best(results: list[Eval]) -> Eval | None:
    """The first true result, else the first unknown one, else None (all false)."""
    return next((r for r in results if r.value is True), None) or next(
        (r for r in results if r.value is None), None)


def _worst(results: list[Eval]) -> Eval | None:
    """The first false result, else the first unknown one, else None (all true)."""
    return next((r for r in results if r.value is False), None) or next(
        (r for r in results if r.value is None), None)


def _compare(op: str, expected: Any, cond: Mapping[str, Any], path: str, value: Any, res: Resource | None = None
             ) -> Eval:
    note = ""
    if (value is MISSING or value is None) and "default" in cond:
        if "earlier_defaults" in cond and res is not None:
            return _versioned_default(op, expected, cond, path, res)
        value = cond["default"]
        note = f" (not set; {cond.get('default_note') or 'the documented default'} is {describe(value)})"
    if value is MISSING or value is None:
        absent = op in _NEGATIVE_OPS
        return Eval(absent, path, f"{path} is not set")
    if isinstance(value, Ref):
        if op in _SET_OPS:
            return Eval(True, path, f"{path} is set (refers to {value.address})")
        if op in ("absent", "empty", "falsy"):
            return Eval(False, path, f"{path} is set (refers to {value.address})")
        return Eval(None, path, f"{path} is only known after apply ({value.reason})", cause=CAUSE_APPLY)
    if isinstance(value, Unknown):
        return Eval(None, path, f"{path} cannot be known statically: {value.reason}", cause=_cause(value))
    shown = f"{path} is {describe(value, path)}{note}"
    ok = _apply(op, expected, value)
    if ok is None:
        return Eval(None, path, f"{shown}, which cannot be compared with {describe(expected)}", cause=CAUSE_EVALUATOR)
    return Eval(ok, path, f"{shown}" + ("" if ok else f", expected {_expectation(op, expected, cond)}"))


def _versioned_default(op: str, expected: Any, cond: Mapping[str, Any], path: str, res: Resource) -> Eval:
    """An absent attribute whose default changed across provider releases: judged on each default
    the admitted provider versions may give. With no version constraint, ``terraform init``
    installs the newest release, so the current default holds."""
    from soc2iac.versions import ProviderVersions, segments

    spec = cond["earlier_defaults"]
    provider = spec["provider"]
    current = cond.get("default_note") or "the documented default"
    known = res.providers.get(provider)
    versions = known if known is not None else ProviderVersions()
    admitted = versions.admitted()
    parts = segments(cond["default"], current, spec["versions"])
    if not versions.locked and not versions.constraints:
        parts = parts[-1:]
    applying = [seg for seg in parts if admitted.overlaps(seg.low, seg.high)] or parts[-1:]
    results = [(seg, _compare(op, expected, {k: v for k, v in cond.items() if k != "earlier_defaults"} | {
        "default": seg.default, "default_note": seg.note}, path, MISSING)) for seg in applying]
    basis = versions.basis() if versions.locked or versions.constraints else \
        f"no {provider} version constraint: terraform init installs the newest release"
    if len(results) == 1:
        only = results[0][1]
        return Eval(only.value, path, f"{only.reason} [{basis}]")
    verdicts = {e.value for _, e in results}
    if verdicts == {True}:
        return Eval(True, path, f"{path} is not set; every default the admitted {provider} versions give holds "
                                f"({'; '.join(e.reason for _, e in results)}) [{basis}]")
    if verdicts == {False}:
        return Eval(False, path, f"{path} is not set; every default the admitted {provider} versions give is weak "
                                 f"({'; '.join(e.reason for _, e in results)}) [{basis}]")
    return Eval(None, path, f"{path} is not set and its default depends on the {provider} provider version: "
                            f"{'; '.join(e.reason for _, e in results)} [{basis}]; pin the provider or set {path}")


def _expectation(op: str, expected: Any, cond: Mapping[str, Any]) -> str:
    """The compliant value in words: the leaf's own ``expected`` wording, a pattern said in words,
    never a regular expression."""
    if isinstance(cond.get("expected"), str):
        return str(cond["expected"])
    if op in ("matches", "not_matches"):
        said = pattern_words.words(str(expected), negated=op == "not_matches")
        return said or ("a value of the form the policy requires" if op == "matches"
                        else "a value outside the form the policy rules out")
    words = {
        "exists": "it to be set", "absent": "it to be unset", "empty": "it to be empty",
        "not_empty": "it to be non-empty", "truthy": "true", "falsy": "false or unset",
    }
    if op in words:
        return words[op]
    sym = {"equals": "", "not_equals": "anything but ", "in": "one of ", "not_in": "none of ",
           "gte": ">= ", "gt": "> ", "lte": "<= ", "lt": "< ", "contains": "to contain ", "not_contains": "not to contain ",
           "contains_any": "to contain one of ", "contains_none": "to contain none of ",
           "contains_all": "to contain all of "}[op]
    return f"{sym}{describe(expected)}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _eq(a: Any, b: Any) -> bool:
    if isinstance(b, bool) and isinstance(a, str):
        return a.strip().lower() == ("true" if b else "false")
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        n = _number(a)
        return n is not None and n == float(b)
    return bool(a == b)


def _apply(op: str, expected: Any, value: Any) -> bool | None:
    if op == "exists":
        return True
    if op == "absent":
        return False
    if op in ("empty", "not_empty"):
        empty = value in ("", [], {}) or (isinstance(value, (list, dict, str)) and len(value) == 0)
        return empty if op == "empty" else not empty
    if op == "truthy":
        return _eq(value, True) if isinstance(value, str) else bool(value)
    if op == "falsy":
        return not (_eq(value, True) if isinstance(value, str) else bool(value))
    if op == "equals":
        return _eq(value, expected)
    if op == "not_equals":
        return not _eq(value, expected)
    if op in ("in", "not_in"):
        inside = any(_eq(value, e) for e in expected)
        return inside if op == "in" else not inside
    if op in ("gte", "gt", "lte", "lt"):
        a, b = _number(value), _number(expected)
        if a is None or b is None:
            return None
        return {"gte": a >= b, "gt": a > b, "lte": a <= b, "lt": a < b}[op]
    if op in ("matches", "not_matches"):
        if isinstance(value, (dict, list)):
            return None
        found = re.search(str(expected), str(value)) is not None
        return found if op == "matches" else not found
    items = value if isinstance(value, list) else [value]
    wanted = [expected] if op in ("contains", "not_contains") else list(expected)
    if op == "contains_all":
        known = [i for i in items if not isinstance(i, Unknown)]
        missing = [e for e in wanted if not any(_eq(i, e) for i in known)]
        if missing and len(known) < len(items):
            return None
        return not missing
    hit = any(_eq(i, e) for i in items if not isinstance(i, Unknown) for e in wanted) or (
        isinstance(value, str) and any(str(e) in value for e in wanted) and op in ("contains", "not_contains"))
    if not hit and any(isinstance(i, Unknown) for i in items):
        return None  # a known hit decides; otherwise an unknown element might still match
    if op in ("contains", "contains_any"):
        return hit
    if op in ("not_contains", "contains_none"):
        return not hit
    raise ValueError(f"unknown op {op}")
