"""Read a saved JSON result (soc2iac/reporters/json_report.py) back into a ScanResult.

``soc2iac report results.json --format html`` renders any report from a saved
scan without scanning again. The document is validated against the shipped
JSON Schema first; its summary must agree with its findings.

Everything reporters use round-trips: findings with waiver and baseline marks,
the waiver list, policy texts, scope (digests, git commit, cluster identity) and
a plan's changed addresses.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from soc2iac.errors import InputProblem, Soc2iacError
from soc2iac.result import CriterionEntry, Evidence, Finding, PolicyInfo, ScanResult, Scope, WaiverInfo
from soc2iac.text import squashed


@functools.lru_cache(maxsize=1)
def result_schema() -> dict[str, Any]:
    text = resources.files("soc2iac.schemas").joinpath("result.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def validate(doc: Any) -> None:
    """Raise Soc2iacError naming the first schema problem (in document order)."""
    from jsonschema import Draft202012Validator

    errors = list(Draft202012Validator(result_schema()).iter_errors(doc))
    if not errors:
        return
    first = min(errors, key=lambda e: ([str(p) for p in e.absolute_path], e.validator != "required", e.message))
    where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
    raise Soc2iacError(squashed(f"not a soc2iac result document: at {where}: {first.message}", 200))


def from_document(doc: dict[str, Any]) -> ScanResult:
    """Rebuild the ScanResult that ``to_document`` wrote (``to_document(from_document(d)) == d``)."""
    validate(doc)
    scan = doc["scan"]
    summary = doc["summary"]
    findings = [
        Finding(
            policy_id=f["policy_id"], title=f["title"], severity=f["severity"], criteria=tuple(f["criteria"]),
            verdict=f["verdict"], message=f["message"], resource=f["resource"], resource_type=f["resource_type"],
            source=f["source"], file=f["file"], line=f["line"], remediation=f["remediation"],
            evidence=tuple(Evidence(e["path"], e["line"], e["message"]) for e in f["evidence"]),
            exception=f.get("exception", ""), change=f.get("change", ""), baseline=f.get("baseline", ""),
            cause=f.get("cause", ""),
            scope=f.get("scope", ""), set_at=tuple(f.get("set_at", ())),
        )
        for f in doc["findings"]
    ]
    changed: set[str] | None = None
    if "changed_resources" in scan:
        changed = set(scan["changed_resources"])
    elif "plan_changes" in summary:  # documents written before addresses were recorded
        n = summary["plan_changes"]["changed_resources"]
        changed = {f"(changed resource {i + 1} of {n}: address not recorded)" for i in range(n)}
    result = ScanResult(
        findings=findings,
        problems=[InputProblem(file=p["file"], message=p["message"], line=p["line"]) for p in doc["problems"]],
        notices=list(doc["notices"]),
        inputs=list(scan["inputs"]),
        policies=[PolicyInfo(p["id"], p["title"], p["severity"], tuple(p["criteria"]), p.get("area", ""),
                             p.get("description", ""), p.get("remediation", ""), tuple(p.get("references", ())),
                             family=p.get("family", ""),
                             mappings=tuple(CriterionEntry(e["id"], e["role"], e["focus"], e["reason"])
                                            for e in p.get("criteria_entries", ())))
                  for p in scan["policies"]],
        waivers=[WaiverInfo(w["policy"], tuple(w["resources"]), w["reason"], w["approved_by"], w["ticket"],
                            w["expires"], w["origin"], w["status"], w["matched"]) for w in doc.get("waivers", [])],
        baseline_fixed=([(b["policy_id"], b["resource"]) for b in summary["baseline_fixed"]]
                        if "baseline_fixed" in summary else None),
        scope=Scope(
            inputs=tuple((path, digest) for path, digest in scan.get("input_digests", {}).items()),
            policy_set_sha256=scan.get("policy_set_sha256", ""),
            git_commit=scan.get("git_commit", ""),
            git_dirty=bool(scan.get("git_dirty", False)),
            cluster=tuple((str(k), str(v)) for k, v in scan.get("cluster", {}).items()),
            unread_modules=tuple((m["at"], m["source"]) for m in scan.get("unread_modules", ())),
        ),
        resources_scanned=scan["resources_scanned"],
        changed=changed,
        tool_version=doc["tool"]["version"],
        started_at=scan["started_at"],
        finished_at=scan["finished_at"],
    )
    _check_summary(result, doc)
    return result


def _check_summary(result: ScanResult, doc: dict[str, Any]) -> None:
    from soc2iac.reporters.json_report import to_document

    summary = doc["summary"]
    again = to_document(result, fail_on=summary["fail_on"])["summary"]
    if doc["schema_version"] == "2.0":  # written before criteria entries: compare what it recorded
        again["by_criterion"] = {c: {k: v for k, v in again["by_criterion"].get(c, {}).items()
                                     if k in (summary["by_criterion"].get(c) or {})} for c in summary["by_criterion"]}
    for key in ("failing", "by_verdict", "by_criterion", "plan_changes", "baseline_fixed"):
        if summary.get(key) != again.get(key):
            raise Soc2iacError(f"inconsistent result document: summary/{key} does not match the findings "
                               "(was the file edited by hand?)")


def fail_on_of(doc: dict[str, Any]) -> str:
    """The severity threshold the saved scan was judged at."""
    return str(doc["summary"]["fail_on"])


def load_file(path: str | Path) -> tuple[ScanResult, str]:
    """Read a saved result file: (result, its fail_on threshold). Raises Soc2iacError on any problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Soc2iacError(f"{path}: cannot read: {squashed(exc, 200)}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Soc2iacError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise Soc2iacError(f"{path}: not a soc2iac result document: the top level is not an object")
    try:
        return from_document(doc), fail_on_of(doc)
    except Soc2iacError as exc:
        raise Soc2iacError(f"{path}: {exc}") from None
