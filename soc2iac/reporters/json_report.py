"""The versioned JSON document; its JSON Schema ships as soc2iac/schemas/result.schema.json."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

from soc2iac.result import VERDICTS, CriterionEntry, Finding, ScanResult

SCHEMA_VERSION = "2.1"  # 2.0: summary.by_criterion holds every criterion with its verdict; 2.1: criteria
# entries (role, focus, reason) on policies and by_criterion, supporting checks counted apart; findings'
# scope (root module folder, plan file), set_at (caller arguments) and cause (of unknowns);
# scan.unread_modules


def to_document(result: ScanResult, *, fail_on: str = "high", findings: bool = True) -> dict[str, Any]:
    by_verdict = {v: 0 for v in VERDICTS}
    for f in result.findings:
        if not f.change:
            by_verdict[f.verdict] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "soc2iac", "version": result.tool_version},
        "scan": {
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "inputs": list(result.inputs),
            "resources_scanned": result.resources_scanned,
            "policies": [
                {"id": p.id, "title": p.title, "severity": p.severity, "criteria": list(p.criteria),
                 **({"family": p.family} if p.family else {}),
                 **({"criteria_entries": [_entry(m) for m in p.mappings]} if p.mappings else {}),
                 "area": p.area, "description": p.description, "remediation": p.remediation,
                 "references": list(p.references)}
                for p in result.policies
            ],
            **({"cluster": dict(result.scope.cluster)} if result.scope.cluster else {}),
            **({"changed_resources": sorted(result.changed)} if result.changed is not None else {}),
            "input_digests": {path: digest for path, digest in result.scope.inputs},
            **({"unread_modules": [{"at": at, "source": source} for at, source in result.scope.unread_modules]}
               if result.scope.unread_modules else {}),
            "policy_set_sha256": result.scope.policy_set_sha256,
            **({"git_commit": result.scope.git_commit, "git_dirty": result.scope.git_dirty}
               if result.scope.git_commit else {}),
        },
        "summary": {
            "fail_on": fail_on,
            "failing": len(result.failing(fail_on)),
            "by_verdict": by_verdict,
            "by_criterion": by_criterion(result, fail_on),
            **({"plan_changes": result.change_summary()} if result.changed is not None else {}),
            **({"baseline_fixed": [{"policy_id": p, "resource": r} for p, r in result.baseline_fixed]}
               if result.baseline_fixed is not None else {}),
        },
        "findings": [_finding(f, _supporting(result)) for f in result.findings] if findings else [],
        "waivers": [
            {"policy": w.policy, "resources": list(w.resources), "reason": w.reason, "approved_by": w.approved_by,
             "ticket": w.ticket, "expires": w.expires, "origin": w.origin, "status": w.status, "matched": w.matched}
            for w in result.waivers
        ],
        "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in result.problems],
        "notices": list(result.notices),
    }


def by_criterion(result: ScanResult, fail_on: str) -> dict[str, dict[str, Any]]:
    """The summary model's verdict and counts for every criterion (primary checks; supporting ones
    apart), the policies testing it with role, point of focus and reason, and what soc2iac's
    checks cover and leave to other evidence."""
    from soc2iac.summary import verdicts_by_criterion

    out = {}
    for cid, v in verdicts_by_criterion(result).items():
        out[cid] = {"verdict": v.verdict, **v.counts, "policies": v.policies}
        if v.rows:
            out[cid].update({
                "supporting": v.supporting, "coverage": v.coverage,
                "checks": [{"policy": r.id, "role": r.role, "focus": r.focus, "reason": r.reason} for r in v.rows]})
    return out


def _entry(m: CriterionEntry) -> dict[str, str]:
    return {"id": m.id, "role": m.role, "focus": m.focus, "reason": m.reason}


def _finding(f: Finding, supporting: frozenset[tuple[str, str]] = frozenset()) -> dict[str, Any]:
    weak = [c for c in f.criteria if (f.policy_id, c) in supporting]
    return {
        "policy_id": f.policy_id,
        "title": f.title,
        "severity": f.severity,
        "criteria": list(f.criteria),
        **({"supporting_criteria": weak} if weak else {}),
        "verdict": f.verdict,
        "message": f.message,
        "resource": f.resource,
        **({"scope": f.scope} if f.scope else {}),
        "resource_type": f.resource_type,
        "source": f.source,
        "file": f.file,
        "line": f.line,
        "remediation": f.remediation,
        "evidence": [{"path": e.path, "line": e.line, "message": e.message} for e in f.evidence],
        **({"set_at": list(f.set_at)} if f.set_at else {}),
        **({"exception": f.exception} if f.exception else {}),
        **({"change": f.change} if f.change else {}),
        **({"baseline": f.baseline} if f.baseline else {}),
        **({"cause": f.cause} if f.cause else {}),
    }


def _supporting(result: ScanResult) -> frozenset[tuple[str, str]]:
    """(policy id, criterion) pairs where the policy's check is supporting evidence only."""
    return frozenset((p.id, m.id) for p in result.policies for m in p.mappings if not m.primary)


def render(result: ScanResult, *, fail_on: str = "high", **_: Any) -> str:
    return "".join(render_chunks(result, fail_on=fail_on))


def render_chunks(result: ScanResult, *, fail_on: str = "high", **_: Any) -> Iterator[str]:
    """The document of :func:`render`, piece by piece: one finding at a time, so a scan with
    100,000 findings never holds their whole JSON text (or all their dicts) in memory at once."""
    doc = to_document(result, fail_on=fail_on, findings=False)
    marker = f"findings-{secrets.token_hex(16)}"
    doc["findings"] = marker
    head, tail = json.dumps(doc, indent=2, sort_keys=False).split(json.dumps(marker), 1)
    yield head
    if not result.findings:
        yield "[]"
    else:
        supporting = _supporting(result)
        for i, f in enumerate(result.findings):
            text = json.dumps(_finding(f, supporting), indent=2, sort_keys=False).replace("\n", "\n    ")
            yield ("[\n    " if i == 0 else ",\n    ") + text
        yield "\n  ]"
    yield tail + "\n"
