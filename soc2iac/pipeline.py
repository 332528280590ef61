"""The one result pipeline every command uses: engine → plan changes → external findings (checkov)
→ waivers → baseline → :class:`ScanResult`. ``scan`` and ``cluster`` differ only in how they
collect resources and in the ``adjust`` step a live audit adds (kinds it could not list)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from soc2iac import __version__, engine, waivers
from soc2iac.clock import utc_now
from soc2iac.config import Config
from soc2iac.errors import InputProblem
from soc2iac.model import Resource, Unread, qualified
from soc2iac.policy import Policy
from soc2iac.result import Finding, PolicyInfo, ScanResult, Scope, sort_findings
from soc2iac.waivers import Waiver

# checkov and the like: (our findings) -> (merged findings, their policies, notices)
External = Callable[[list[Finding]], tuple[list[Finding], list[PolicyInfo], list[str]]]


@dataclass
class Collected:
    """What a command gathered: resources and what it could say about its inputs."""

    resources: Sequence[Resource]
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # inputs read, as shown
    plans: Sequence[Any] = ()  # soc2iac.parsers.terraform_plan.Plan
    unread_modules: list[tuple[str, str]] = field(default_factory=list)  # Terraform module calls not read
    scope: Scope = field(default_factory=Scope)
    unread: Sequence[Unread] = ()  # kinds a live audit could not read (lookups of them are undecided)


@dataclass(frozen=True)
class Options:
    """How findings are turned into a result (the user's choices)."""

    register: Sequence[Waiver] = ()
    inline_waivers: bool = True
    baseline: Mapping[str, Any] | None = None
    changes_only: bool = False
    today: dt.date | None = None
    jobs: int = 1
    known_policies: frozenset[str] | None = None  # every policy id that exists (a waiver naming another is an error)


def run(policies: Sequence[Policy], collected: Collected, config: Config, options: Options = Options(), *,
        adjust: Callable[[list[Finding]], list[Finding]] | None = None, external: External | None = None,
        started: str = "") -> ScanResult:
    """``policies`` are the ones to run (``Config.select`` has dropped the disabled ones)."""
    findings, notices = engine.evaluate(policies, collected.resources, config, jobs=options.jobs,
                                       unread=collected.unread)
    if adjust is not None:
        findings = adjust(findings)
    changed: set[str] | None = None
    if collected.plans:
        from soc2iac.changes import plan_changes

        changed = set()
        for plan in collected.plans:
            after = [f for f in findings if f.scope == plan.scope]  # the plan file: its resources' scope
            findings.extend(plan_changes(policies, plan, config, after))
            changed |= plan.changed
        if options.changes_only:
            findings = [f for f in findings if f.resource in changed or f.change]
    elif options.changes_only:
        notices.append("--changes-only has no effect: no Terraform plan among the inputs")
    external_policies: list[PolicyInfo] = []
    if external is not None:
        findings, external_policies, external_notices = external(findings)
        notices.extend(external_notices)
    known = (set(options.known_policies) | {p.id for p in policies} | {p.id for p in external_policies}
             if options.known_policies is not None else None)
    findings, waiver_infos, waiver_notices, waiver_problems = waivers.apply_all(
        findings, collected.resources, options.register, inline=options.inline_waivers,
        today=options.today or dt.date.today(), known=known)
    notices.extend(waiver_notices)
    findings = qualify_repeated(findings)
    fixed = None
    if options.baseline is not None:
        findings, fixed = mark_baseline(findings, options.baseline)
    return ScanResult(
        findings=sort_findings(findings),
        problems=sorted([*collected.problems, *waiver_problems], key=lambda p: (p.file, p.line, p.message)),
        notices=collected.notices + notices,
        inputs=collected.inputs,
        policies=policy_infos(policies) + external_policies,
        scope=replace(collected.scope, policy_set_sha256=policy_set_digest(policies)),
        resources_scanned=len(collected.resources),
        changed=changed,
        waivers=waiver_infos,
        baseline_fixed=fixed,
        tool_version=__version__,
        started_at=started,
        finished_at=utc_now(),
    )


def policy_infos(policies: Sequence[Policy]) -> list[PolicyInfo]:
    return [PolicyInfo(p.id, p.title, p.severity, p.criteria, p.area, p.description, p.remediation, p.references,
                       family=p.family, mappings=p.mappings)
            for p in policies]


def policy_set_digest(policies: Sequence[Policy]) -> str:
    digest = hashlib.sha256()
    for p in sorted(policies, key=lambda p: p.id):
        digest.update(json.dumps([p.id, p.severity, [(m.id, m.role) for m in p.mappings] or list(p.criteria),
                                  p.applies_to, list(p.types), p.check],
                                 sort_keys=True, default=str).encode())
    return digest.hexdigest()


def qualify_repeated(findings: list[Finding]) -> list[Finding]:
    """When one address belongs to several roots (two example folders calling the same module, two
    plans), every finding with a root names it: ``resource`` becomes ``root:address``."""
    roots: dict[str, str] = {}
    for f in findings:
        if f.scope and roots.setdefault(f.resource, f.scope) != f.scope:
            return [replace(f, resource=qualified(f.scope, f.resource)) if f.scope else f for f in findings]
    return findings


def mark_baseline(findings: Sequence[Finding], baseline: Mapping[str, Any]
                  ) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Fails marked new or existing against a previous JSON result; what failed there and no longer
    does. Resources are compared as shown (``root:address`` where addresses repeat across roots);
    a baseline naming the bare address (a scan of one root, or made before roots were shown) is
    matched by the address."""
    before = {(f["policy_id"], f["resource"]) for f in baseline.get("findings", []) if f.get("verdict") == "fail"}

    def known(f: Finding) -> bool:
        return (f.policy_id, f.resource) in before or (f.policy_id, f.address) in before

    current = {key for f in findings if f.verdict == "fail" for key in ((f.policy_id, f.resource), (f.policy_id, f.address))}
    marked = [replace(f, baseline="existing" if known(f) else "new") if f.verdict == "fail" else f for f in findings]
    return marked, sorted(before - current)
