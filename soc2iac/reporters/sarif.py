"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

One rule per policy that ran; one result per failing, excepted (suppressed) or
unknown (a "review" note) finding; passes are not results. Output is a pure
function of the scan result: the same result gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from soc2iac.reporters.json_report import by_criterion
from soc2iac.result import Finding, PolicyInfo, ScanResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "SRCROOT"
# partialFingerprints key: bump the version if the hashed fields ever change,
# so consumers do not match old and new fingerprints by accident.
FINGERPRINT_KEY = "soc2iacFinding/v1"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
CHANGE_PREFIX = {"regression": "Weakened: ", "control-removed": "Removed: "}
BASELINE_STATE = {"new": "new", "existing": "unchanged"}  # --baseline comparison -> SARIF baselineState

# a finding's file for a resource with no source line, e.g. a plan entry: "plan.json (address)"
_ADDRESSED = re.compile(r"^(?P<file>.+?) \((?P<address>[^()]*)\)$")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def render(result: ScanResult, *, fail_on: str = "high", **_: Any) -> str:
    return json.dumps(to_document(result, fail_on=fail_on), indent=2, ensure_ascii=False) + "\n"


def to_document(result: ScanResult, *, fail_on: str = "high") -> dict[str, Any]:
    rules = _rules(result)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {"driver": _driver(result, rules)},
        "automationDetails": {
            "id": f"soc2iac/{result.started_at}" if result.started_at else "soc2iac/",
            "description": {"text": "soc2iac SOC 2 policy-as-code scan"},
        },
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory soc2iac ran in; artifact URIs are relative to it."}},
        },
        "invocations": [_invocation(result)],
    }
    artifacts = _artifacts(result)
    if artifacts:
        run["artifacts"] = artifacts
    run["results"] = [_result(f, index[f.policy_id]) for f in result.findings if f.verdict != "pass"]
    run["properties"] = _run_properties(result, fail_on)
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# -- rules -------------------------------------------------------------------------------------


def _rules(result: ScanResult) -> list[dict[str, Any]]:
    """One rule per policy that ran, then any policy a finding names that is not listed
    (built-in checks such as plan-control-removed), described from its findings."""
    policies = list(result.policies)
    known = {p.id for p in policies}
    extra: dict[str, PolicyInfo] = {}
    for f in result.findings:
        if f.policy_id not in known and f.policy_id not in extra:
            extra[f.policy_id] = PolicyInfo(f.policy_id, f.title, f.severity, f.criteria,
                                            remediation=f.remediation)
    policies.extend(extra[k] for k in sorted(extra))
    return [_rule(p) for p in policies]


def _rule(p: PolicyInfo) -> dict[str, Any]:
    links = [r for r in p.references if _URI_SCHEME.match(r)]
    remediation = " ".join(p.remediation.split()) or p.title
    description = " ".join(p.description.split()) or p.title
    text = remediation
    markdown = remediation
    if p.mappings:
        text += "\n\nSOC 2 criteria:\n" + "\n".join(f"- {m.id} ({m.role}, {m.focus}): {m.reason}" for m in p.mappings)
        markdown += "\n\n**SOC 2 criteria**\n\n" + "\n".join(
            f"- **{m.id}** ({m.role}, *{m.focus}*): {m.reason}" for m in p.mappings)
    elif p.criteria:
        text += f"\n\nSOC 2 criteria: {', '.join(p.criteria)}"
        markdown += f"\n\n**SOC 2 criteria:** {', '.join(p.criteria)}"
    if p.references:
        text += "\n\nReferences:\n" + "\n".join(f"- {r}" for r in p.references)
        markdown += "\n\n**References**\n\n" + "\n".join(
            f"- [{r}]({r})" if r in links else f"- {r}" for r in p.references)
    tags = list(dict.fromkeys([*p.criteria, "soc2", *([p.area] if p.area else []), "security"]))
    rule: dict[str, Any] = {
        "id": p.id,
        "name": _camel(p.id),
        "shortDescription": {"text": p.title},
        "fullDescription": {"text": description},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS.get(p.severity, "warning")},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": SECURITY_SEVERITY.get(p.severity, "5.5"),
            "severity": p.severity,
            "soc2-criteria": list(p.criteria),
            **({"soc2-criteria-entries": [{"id": m.id, "role": m.role, "focus": m.focus, "reason": m.reason}
                                          for m in p.mappings]} if p.mappings else {}),
            **({"soc2-family": p.family} if p.family else {}),
            **({"area": p.area} if p.area else {}),
        },
    }
    if links:
        rule["helpUri"] = links[0]
    return rule


def _camel(policy_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", policy_id) if part)


def _driver(result: ScanResult, rules: list[dict[str, Any]]) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "soc2iac"}
    if result.tool_version:
        driver["version"] = result.tool_version
        if re.fullmatch(r"\d+\.\d+\.\d+([-+].*)?", result.tool_version):
            driver["semanticVersion"] = result.tool_version
    driver["rules"] = rules
    return driver


# -- results -----------------------------------------------------------------------------------


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    if f.verdict == "unknown":
        kind, level = "review", "note"
    else:  # fail, or excepted (a fail with an accepted exception)
        kind, level = "fail", LEVELS.get(f.severity, "warning")
    out: dict[str, Any] = {
        "ruleId": f.policy_id,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": {"text": CHANGE_PREFIX.get(f.change, "") + f.message},
        "locations": [_location(f.file, f.line, f.resource, live=f.source == "cluster")],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
    }
    if f.set_at:  # the module arguments the judged value comes from
        out["relatedLocations"] = [
            {"id": i, **_location(*_file_line(at), f.resource), "message": {"text": "value set here"}}
            for i, at in enumerate(f.set_at, 1)]
    if f.baseline in BASELINE_STATE:
        out["baselineState"] = BASELINE_STATE[f.baseline]
    if f.verdict == "excepted":
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": f.exception or "excepted by configuration"}]
    out["properties"] = {
        "soc2-criteria": list(f.criteria),
        "resource": f.resource,
        **({"root": f.scope} if f.scope and f.source == "terraform" else {}),
        "resourceType": f.resource_type,
        "severity": f.severity,
        "verdict": f.verdict,
        "source": f.source,
        **({"change": f.change} if f.change else {}),
        **({"baseline": f.baseline} if f.baseline else {}),
    }
    return out


def _file_line(at: str) -> tuple[str, int]:
    path, _, line = at.rpartition(":")
    return (path, int(line)) if line.isdigit() else (at, 0)


def fingerprint(f: Finding) -> str:
    """Stable identity of a finding across line moves: policy, resource, file (and plan change kind)."""
    path, _ = split_location(f.file)
    key = "\0".join((f.policy_id, f.resource, path.replace("\\", "/"), f.change))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split_location(file: str) -> tuple[str, str]:
    """(artifact path or "", address) of a finding's file field."""
    m = _ADDRESSED.match(file)
    if m:
        return m["file"], m["address"]
    return file, ""


def _is_file(path: str) -> bool:
    return bool(path) and not path.startswith("<") and (
        not _URI_SCHEME.match(path) or path.startswith("file://"))


def artifact_location(path: str) -> dict[str, Any]:
    """A relative path under SRCROOT with forward slashes, or an absolute file URI."""
    if path.startswith("file://"):
        return {"uri": path}
    slashed = path.replace("\\", "/")
    if _WINDOWS_DRIVE.match(path):
        return {"uri": "file:///" + quote(slashed, safe="/:")}
    if slashed.startswith("/"):
        return {"uri": "file://" + quote(slashed, safe="/")}
    while slashed.startswith("./"):
        slashed = slashed[2:]
    return {"uri": quote(slashed, safe="/"), "uriBaseId": SRCROOT}


def _location(file: str, line: int, resource: str, *, live: bool = False) -> dict[str, Any]:
    """A live-cluster object (``context/namespace/Kind/name``) is a logical location only."""
    path, address = split_location(file)
    loc: dict[str, Any] = {}
    if not live and _is_file(path):
        physical: dict[str, Any] = {"artifactLocation": artifact_location(path)}
        if line > 0:
            physical["region"] = {"startLine": line}
        loc["physicalLocation"] = physical
    name = resource or address or file
    if name:
        loc["logicalLocations"] = [{"fullyQualifiedName": name, "kind": "resource"}]
    return loc


# -- run ---------------------------------------------------------------------------------------


def _invocation(result: ScanResult) -> dict[str, Any]:
    inv: dict[str, Any] = {"executionSuccessful": not result.problems}
    if result.started_at:
        inv["startTimeUtc"] = result.started_at
    if result.finished_at:
        inv["endTimeUtc"] = result.finished_at
    notes: list[dict[str, Any]] = []
    for p in result.problems:
        note: dict[str, Any] = {"level": "error", "message": {"text": f"{p.message} (file not scanned)"},
                                "descriptor": {"id": "input-problem"}}
        path, _ = split_location(p.file)
        if _is_file(path):
            physical: dict[str, Any] = {"artifactLocation": artifact_location(path)}
            if p.line > 0:
                physical["region"] = {"startLine": p.line}
            note["locations"] = [{"physicalLocation": physical}]
        notes.append(note)
    notes.extend({"level": "note", "message": {"text": n}, "descriptor": {"id": "notice"}} for n in result.notices)
    if notes:
        inv["toolExecutionNotifications"] = notes
    return inv


def _artifacts(result: ScanResult) -> list[dict[str, Any]]:
    out = []
    for path, digest in result.scope.inputs:
        if _is_file(path):
            entry: dict[str, Any] = {"location": artifact_location(path)}
            if digest:
                entry["hashes"] = {"sha-256": digest}
            out.append(entry)
    return out


def _run_properties(result: ScanResult, fail_on: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "fail_on": fail_on,
        "failing": len(result.failing(fail_on)),
        "resources_scanned": result.resources_scanned,
        "inputs": list(result.inputs),
        "policy_set_sha256": result.scope.policy_set_sha256,
        "by_criterion": by_criterion(result, fail_on),  # the summary model, as in the JSON report
    }
    if result.scope.unread_modules:
        props["unread_modules"] = [{"at": at, "source": source} for at, source in result.scope.unread_modules]
    if result.scope.git_commit:
        props["git_commit"] = result.scope.git_commit
        props["git_dirty"] = result.scope.git_dirty
    summary = result.change_summary()
    if summary is not None:
        props["plan_changes"] = summary
    if result.waivers:  # every waiver, applied or not: the register of accepted risks
        props["waivers"] = [{"policy": w.policy, "resources": list(w.resources), "reason": w.reason,
                             "approved_by": w.approved_by, "ticket": w.ticket, "expires": w.expires,
                             "origin": w.origin, "status": w.status, "matched": w.matched}
                            for w in result.waivers]
    return props
