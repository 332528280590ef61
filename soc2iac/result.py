"""The scan result: every verdict, the input problems, and the scope of the scan."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from soc2iac.errors import InputProblem
from soc2iac.severity import SEVERITIES, at_least

FindingVerdict = Literal["pass", "fail", "unknown", "excepted"]
VERDICTS: tuple[FindingVerdict, ...] = ("fail", "unknown", "excepted", "pass")


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int
    message: str


@dataclass(frozen=True)
class CriterionEntry:
    """Why a policy (or checkov check) bears on one SOC 2 criterion: its role (primary: a failure
    means the criterion does not hold; supporting: evidence toward it that alone decides nothing),
    the point of focus it evidences and a one-sentence reason, in soc2iac's words."""

    id: str
    role: str
    focus: str
    reason: str

    @property
    def primary(self) -> bool:
        return self.role != "supporting"


@dataclass(frozen=True)
class Finding:
    policy_id: str
    title: str
    severity: str
    criteria: tuple[str, ...]
    verdict: FindingVerdict
    message: str
    resource: str
    resource_type: str
    source: str
    file: str
    line: int
    remediation: str
    evidence: tuple[Evidence, ...] = ()
    exception: str = ""
    change: str = ""  # for plans: regression, control-removed or improvement
    baseline: str = ""  # with --baseline, for fails: new or existing
    scope: str = ""  # the resource's scope (Terraform root module folder, plan file), where known
    cause: str = ""  # for unknowns: why (soc2iac.model.CAUSES: after-apply, evaluator, not-collected)
    set_at: tuple[str, ...] = ()  # "file:line" of the module arguments the judged value comes from

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def address(self) -> str:
        """The resource's address without the root shown before it (``resource`` is
        ``root:address`` when the scan holds the same address in several roots)."""
        prefix = f"{self.scope}:"
        return self.resource[len(prefix):] if self.scope and self.resource.startswith(prefix) else self.resource


@dataclass(frozen=True)
class PolicyInfo:
    """What reporters need to know about a policy that ran (they never read policy files)."""

    id: str
    title: str
    severity: str
    criteria: tuple[str, ...]
    area: str = ""
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()
    family: str = ""  # its control family (soc2iac/data/families.yaml)
    mappings: tuple[CriterionEntry, ...] = ()  # one per criterion: role, focus, reason

    def mapping(self, criterion: str) -> CriterionEntry | None:
        return next((m for m in self.mappings if m.id == criterion), None)


@dataclass(frozen=True)
class Scope:
    """What was checked, for evidence: inputs with digests, tool and policy-set identity."""

    inputs: tuple[tuple[str, str], ...] = ()  # (path, sha256)
    unread_modules: tuple[tuple[str, str], ...] = ()  # Terraform module calls not read: (caller file:line, source)
    policy_set_sha256: str = ""
    git_commit: str = ""
    git_dirty: bool = False
    cluster: tuple[tuple[str, str], ...] = ()  # live scans: server, context, version, ...


@dataclass(frozen=True)
class WaiverInfo:
    """A waiver and what it did in this scan (every report lists all of them)."""

    policy: str
    resources: tuple[str, ...]
    reason: str
    approved_by: str
    ticket: str
    expires: str
    origin: str
    status: str  # applied, expired, unused
    matched: int


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    policies: list[PolicyInfo] = field(default_factory=list)
    scope: Scope = field(default_factory=Scope)
    resources_scanned: int = 0
    changed: set[str] | None = None  # addresses a scanned plan changes (None: no plan)
    waivers: list[WaiverInfo] = field(default_factory=list)
    baseline_fixed: list[tuple[str, str]] | None = None  # (policy id, resource) failing in the baseline, not now
    tool_version: str = ""
    started_at: str = ""
    finished_at: str = ""

    def failing(self, threshold: str, *, new_only: bool = False) -> list[Finding]:
        return [f for f in self.findings if f.verdict == "fail" and severity_at_least(f.severity, threshold)
                and not (new_only and f.baseline == "existing")]

    def undecided(self, threshold: str) -> list[Finding]:
        """Checks at or above ``threshold`` that could not be decided (unknown)."""
        return [f for f in self.findings if f.verdict == "unknown" and severity_at_least(f.severity, threshold)]

    def change_summary(self) -> dict[str, int] | None:
        if self.changed is None:
            return None
        kinds = [f.change for f in self.findings]
        return {"changed_resources": len(self.changed), "weakened": kinds.count("regression"),
                "removed": kinds.count("control-removed"), "fixed": kinds.count("improvement")}


severity_at_least = at_least

# what comes from the policies (trusted, and multi-line on purpose) is left as written
_POLICY_TEXT = frozenset({"policy_id", "title", "severity", "criteria", "remediation"})


def printable_result(result: ScanResult) -> ScanResult:
    """``result`` with every string that comes from outside (resource and file names, messages
    quoting config values, notices, problems, waiver texts, cluster facts) made safe for a terminal
    or CI log by :func:`soc2iac.text.printable`. Reporters render this (the CLI applies it)."""
    from dataclasses import fields, replace

    from soc2iac.text import printable

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return printable(value)
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, (set, frozenset)):
            return {clean(v) for v in value}
        if isinstance(value, (Finding, Evidence, InputProblem, Scope, WaiverInfo)):
            changes = {f.name: clean(getattr(value, f.name)) for f in fields(value)
                       if f.name not in _POLICY_TEXT}
            return replace(value, **changes)
        return value

    def finding(f: Finding) -> Finding:
        probe = " ".join((f.message, f.resource, f.resource_type, f.source, f.file, f.exception, f.scope, *f.set_at,
                          *(e.path + " " + e.message for e in f.evidence)))
        return f if printable(probe) == probe else clean(f)  # most findings: nothing to escape

    return replace(
        result, findings=[finding(f) for f in result.findings], problems=clean(result.problems),
        notices=clean(result.notices), inputs=clean(result.inputs), scope=clean(result.scope),
        changed=clean(result.changed), waivers=clean(result.waivers), baseline_fixed=clean(result.baseline_fixed))


def criterion_sort_key(cid: str) -> tuple[int, str, int]:
    order = ["CC", "A", "C", "PI", "P"]
    head, _, num = cid.partition(".")
    prefix = head.rstrip("0123456789")
    major = head[len(prefix):]
    return (order.index(prefix) if prefix in order else 99, f"{int(major or 0):03d}", int(num or 0))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (VERDICTS.index(f.verdict), SEVERITIES.index(f.severity),
                                           f.policy_id, f.file, f.line, f.resource))


# How reports head the unknowns of each cause (Finding.cause; soc2iac.model.CAUSES), in this order
CAUSE_HEADINGS: dict[str, str] = {
    "after-apply": "Not knowable before plan or apply (values set at plan time or known only after apply)",
    "evaluator": "Beyond what the evaluator can decide (expressions or configuration it does not evaluate)",
    "not-collected": "Not collected (kinds the live audit was forbidden to read or cut short)",
    "": "Not evaluated",
}


def unknowns_by_cause(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """The unknown findings (plan changes aside) grouped under their cause's heading, in
    :data:`CAUSE_HEADINGS` order; only causes that occur."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        if f.verdict == "unknown" and not f.change:
            groups.setdefault(f.cause if f.cause in CAUSE_HEADINGS else "", []).append(f)
    return [(CAUSE_HEADINGS[c], groups[c]) for c in CAUSE_HEADINGS if c in groups]
