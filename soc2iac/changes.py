"""What a Terraform plan does to the controls (CC8.1 change-management evidence).

The same policies run on the world before the change and the world after it;
a (policy, resource) pair that passed before and fails after is a *regression*,
one that failed and now passes an *improvement*. A policy judged on the
world before the plan (``applies_to.world: before``, such as plan-control-removed:
a deleted logging, audit or log-protection control) gives the plan's *removed
controls*. Regressions fail at severity high or above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from soc2iac import engine
from soc2iac.config import Config
from soc2iac.model import MISSING, Resource, resolve
from soc2iac.parsers.terraform_plan import Plan
from soc2iac.policy import SEVERITIES, Policy
from soc2iac.redact import describe
from soc2iac.result import Finding

CHANGE_CRITERION = "CC8.1"
REMOVED = "control-removed"  # the change label of a fail judged on the world before the plan


def plan_changes(policies: Sequence[Policy], plan: Plan, config: Config, after: Sequence[Finding]) -> list[Finding]:
    """The plan's regressions, improvements and removed controls. ``after``: the scan's findings on
    the plan's after-world (evaluated once, with everything else); the world before the plan is
    evaluated here, with the policies judged there (``applies_to.world: before``)."""
    judged, _ = engine.evaluate(policies, plan.before, config, before=True)
    on_before = {p.id for p in policies if engine.judges_before(p)}  # judged on the world before only
    before = [f for f in judged if f.policy_id not in on_before]
    then = {(f.policy_id, f.resource): f for f in before}
    now = {(f.policy_id, f.resource): f for f in after}
    worlds = ({r.address: r for r in plan.before}, {r.address: r for r in plan.after})
    out: list[Finding] = []
    for key, new in now.items():
        old = then.get(key)
        if old is None:  # created by the plan: judged as it is, no before to compare
            continue
        if old.verdict == "pass" and new.verdict == "fail":
            out.append(_regression(old, new, worlds))
        elif old.verdict == "fail" and new.verdict == "pass":
            out.append(_improvement(old, new))
    # what the policies judged on the world before the plan found: a fail is a control the plan removes
    out.extend(replace(f, change=REMOVED) if f.verdict == "fail" else f for f in judged
               if f.policy_id in on_before)
    return out


def _change_text(old: Finding, new: Finding, worlds: tuple[dict[str, Resource], dict[str, Resource]]) -> str:
    """``retention_in_days 365 → 7`` where an attribute changed, else the two messages."""
    before, after = worlds[0].get(old.resource), worlds[1].get(new.resource)
    parts = []
    for ev in new.evidence:
        if before is None or after is None or not ev.path or ev.path.startswith("@"):
            continue
        was = [v for _, v in resolve(before.attributes, ev.path)]
        now = [v for _, v in resolve(after.attributes, ev.path)]
        if was != now:
            shown = [describe(None if v is MISSING else v, ev.path) if vals else "unset"
                     for vals in (was, now) for v in (vals[:1] or [MISSING])]
            parts.append(f"{ev.path} {shown[0].replace('null', 'unset')} → {shown[1].replace('null', 'unset')}")
    if parts:
        return "; ".join(dict.fromkeys(parts))
    return f"before: {old.message} → after: {new.message}"


def _at_least_high(severity: str) -> str:
    return severity if SEVERITIES.index(severity) <= SEVERITIES.index("high") else "high"


def _with_cc81(criteria: tuple[str, ...]) -> tuple[str, ...]:
    return criteria if CHANGE_CRITERION in criteria else (*criteria, CHANGE_CRITERION)


def _regression(old: Finding, new: Finding, worlds: tuple[dict[str, Resource], dict[str, Resource]]) -> Finding:
    text = _change_text(old, new, worlds)
    return Finding(
        policy_id=new.policy_id, title=new.title, severity=_at_least_high(new.severity),
        criteria=_with_cc81(new.criteria), verdict="fail", message=f"this plan weakens the control: {text}",
        resource=new.resource, resource_type=new.resource_type, source=new.source, file=new.file, line=new.line,
        remediation=new.remediation, evidence=new.evidence, change="regression",
    )


def _improvement(old: Finding, new: Finding) -> Finding:
    return Finding(
        policy_id=new.policy_id, title=new.title, severity=new.severity, criteria=_with_cc81(new.criteria),
        verdict="pass", message=f"this plan fixes the control: before: {old.message} → after: {new.message}",
        resource=new.resource, resource_type=new.resource_type, source=new.source, file=new.file, line=new.line,
        remediation=new.remediation, evidence=new.evidence, change="improvement",
    )
