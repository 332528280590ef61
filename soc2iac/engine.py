"""The engine: loops over policies and the resources they apply to, calls the
check kind, and stamps policy id, severity, criteria, location and fix on each
verdict. It knows no policy and no waiver (soc2iac.waivers applies those)."""

from __future__ import annotations

import fnmatch
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from soc2iac.checks import KINDS, in_scope
from soc2iac.checks.base import Outcome
from soc2iac.config import Config
from soc2iac.model import CAUSE_EVALUATOR, MISSING, Ref, Resource, Unknown, Unread, pseudo, resolve
from soc2iac.parsers.registry import sources_of
from soc2iac.policy import Policy, reference_groups, resolved_check
from soc2iac.result import Evidence, Finding, FindingVerdict

if TYPE_CHECKING:
    from soc2iac.gateway_graph import Graph


class Index:
    """Lookups across the scanned resources, built lazily and near-linear in size."""

    def __init__(self, resources: Sequence[Resource], unread: Sequence[Unread] = (), *,
                 environments: str = "folders") -> None:
        self.resources = resources
        self.unread = unread
        self.environments = environments
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._by_address: dict[tuple[str, str], Resource] = {}
        self._any_scope: dict[str, Resource] = {}
        for r in resources:
            self._by_type[r.type].append(r)
            self._by_address.setdefault((r.scope, r.address), r)
            self._any_scope.setdefault(r.address, r)
        self._joins: dict[tuple[str, str], dict[Any, list[Resource]]] = {}
        self._gateway_graphs: dict[str, Graph] = {}
        self._environment_of: dict[int, str] | None = None

    def of_types(self, patterns: Iterable[str]) -> list[Resource]:
        pats = list(patterns)
        if all(not any(ch in p for ch in "*?[") for p in pats):
            return [r for p in pats for r in self._by_type.get(p, [])]
        return [r for t, rs in self._by_type.items() if any(fnmatch.fnmatchcase(t, p) for p in pats) for r in rs]

    def by_address(self, address: str, scope: str | None = None) -> Resource | None:
        """The resource at ``address`` in ``scope`` (a reference resolves in its own root module);
        with no scope, the first resource anywhere with that address."""
        if scope is None:
            return self._any_scope.get(address)
        return self._by_address.get((scope, address))

    def gateway_graph(self, gateways: Sequence[Mapping[str, Any]], resource: Resource | None = None) -> Graph:
        """The gateway graph of ``resource``'s environment (soc2iac.gateway_graph.environments) for
        these declared gateways, built on first use."""
        from soc2iac.gateway_graph import Graph, environments

        if self._environment_of is None:
            self._environment_of = environments(self.resources, self.environments)
        env = self._environment_of.get(id(resource), "") if resource is not None else ""
        key = json.dumps([env, list(gateways)], sort_keys=True, default=str)
        if key not in self._gateway_graphs:
            members = [r for r in self.resources if self._environment_of.get(id(r), "") == env] \
                if self._environment_of else self.resources
            self._gateway_graphs[key] = Graph(members, gateways, self.by_address, environment=env)
        return self._gateway_graphs[key]

    def _join(self, rtype: str, path: str) -> dict[Any, list[Resource]]:
        """Resources of ``rtype`` keyed by what they hold at ``path``: Ref targets and literals."""
        key = (rtype, path)
        if key not in self._joins:
            table: dict[Any, list[Resource]] = defaultdict(list)
            for r in self._by_type.get(rtype, []):
                values = [pseudo(r, path)] if path.startswith("@") else [v for _, v in resolve(r.attributes, path)]
                for v in values:
                    if isinstance(v, Ref):  # certainly refers to its address, in its own scope
                        table[("ref", r.scope, v.address)].append(r)
                    if isinstance(v, Unknown):  # mentions: it may refer to them
                        for address in dict.fromkeys(v.refs):
                            table[("maybe", r.scope, address)].append(r)
                    elif isinstance(v, (str, int, float)) and not isinstance(v, bool) and v is not MISSING:
                        table[("lit", v)].append(r)
            self._joins[key] = table
        return self._joins[key]

    def pointing_at(self, this: Resource, rtype: str, path: str, match_attribute: str | None
                    ) -> list[tuple[Resource, bool]]:
        """Resources of ``rtype`` whose ``path`` refers to ``this``, each with whether that is certain."""
        table = self._join(rtype, path)
        found = {id(r): (r, True) for r in table.get(("ref", this.scope, this.address), [])}
        if match_attribute:
            own = pseudo(this, match_attribute) if match_attribute.startswith("@") else this.attributes.get(match_attribute)
            if isinstance(own, (str, int, float)) and not isinstance(own, Unknown):
                found.update({id(r): (r, True) for r in table.get(("lit", own), [])})
        for r in table.get(("maybe", this.scope, this.address), []):
            found.setdefault(id(r), (r, False))
        return [(r, sure) for r, sure in found.values() if r is not this]

    def related(self, resource: Resource, spec: Mapping[str, Any]) -> list[tuple[Resource, bool]]:
        out: list[tuple[Resource, bool]] = []
        for rtype in spec["types"]:
            if "via" in spec:
                out += self.pointing_at(resource, rtype, spec["via"], spec.get("match_attribute"))
            elif "match" in spec:
                first, rest = spec["match"][0], spec["match"][1:]
                own = _value_of(resource, first["this"])
                if own is None:
                    continue
                for cand in self._join(rtype, first["related"]).get(("lit", own), []):
                    if all(_value_of(cand, m["related"]) == _value_of(resource, m["this"]) for m in rest):
                        out.append((cand, True))
        return out

    def unread_related(self, resource: Resource, spec: Mapping[str, Any]) -> str:
        """Why objects the lookup ``spec`` could find may exist unread ('' when none can): a kind
        that could not be read matters only where the lookup's ``@type`` and ``@namespace``
        terms let its objects match ``resource`` (a Role is never what a ClusterRoleBinding names)."""
        for gap in self.unread:
            if not any(fnmatch.fnmatchcase(gap.type, p) for p in spec["types"]):
                continue
            terms = spec.get("match", ())
            if terms and _value_of(resource, terms[0]["this"]) is None:
                continue  # the lookup finds nothing, read or not (as in related())
            if all(_could_match(gap, resource, m) for m in terms):
                return gap.reason
        return ""

    def referenced_by(self, resource: Resource, edges: Sequence[Mapping[str, str]]) -> bool:
        return any(
            self.pointing_at(resource, e["type"], e["path"], e.get("match_attribute")) for e in edges
        )


def _could_match(gap: Unread, resource: Resource, term: Mapping[str, str]) -> bool:
    """Whether an unread object of ``gap`` could satisfy one ``match`` term of a lookup from ``resource``."""
    own = _value_of(resource, term["this"])
    if term["related"] == "@type":
        return bool(own == gap.type)
    if term["related"] == "@namespace" and gap.namespace:
        return bool(own == gap.namespace)
    return True


def _value_of(res: Resource, path: str) -> Any:
    if path.startswith("@"):
        v = pseudo(res, path)
    else:
        vals = [v for _, v in resolve(res.attributes, path)]
        v = vals[0] if vals else MISSING
    return None if v is MISSING or isinstance(v, Unknown) else v


def _in_source(policy: Policy, resource: Resource) -> bool:
    wanted = sources_of(policy.applies_to["source"])  # from the input registry; None: any source
    return wanted is None or resource.source in wanted


BEFORE = "before"  # ``applies_to.world``: a policy judged on what a plan's resources were


def judges_before(policy: Policy) -> bool:
    """Whether ``policy`` is judged on the world before a plan (a removed control), not on what is."""
    return policy.applies_to.get("world") == BEFORE


PARALLEL_MIN_RESOURCES = 5_000  # below this, forking workers costs more than it saves



def evaluate(
    policies: Sequence[Policy], resources: Sequence[Resource], config: Config, *, jobs: int = 1,
    before: bool = False, unread: Sequence[Unread] = (),
) -> tuple[list[Finding], list[str]]:
    """All verdicts of all policies on all resources they apply to, plus notices. ``policies``
    excludes the disabled ones already. ``before``: ``resources`` are the world before a plan, and
    the policies judged there run too. ``unread``: kinds that could not be read (a live audit);
    a lookup that could find their objects has no definite answer.

    ``jobs`` > 1 on a big scan: policies are shared out among forked processes that inherit the
    resource index; their findings are put back in policy order, so the result is the serial one.
    """
    index = Index(resources, unread, environments=config.environments)
    notices: list[str] = []
    active = [p for p in policies if before or not judges_before(p)]
    if jobs > 1 and len(resources) >= PARALLEL_MIN_RESOURCES and len(active) > 1:
        parallel = _evaluate_forked(active, index, config, jobs)
        if parallel is not None:
            return parallel, notices
    findings: list[Finding] = []
    for policy in active:
        findings.extend(_evaluate_policy(policy, index, config))
    return findings, notices


def _evaluate_forked(policies: Sequence[Policy], index: Index, config: Config, jobs: int) -> list[Finding] | None:
    from soc2iac.parallel import balanced, forked_map

    # share the policies out by their work (resources of their types)
    batches = balanced([len(index.of_types(p.types)) + 1 for p in policies], jobs * 3)
    parts = forked_map(_evaluate_batch, (policies, index, config), batches, jobs)
    if parts is None:
        return None
    by_policy = {i: found for part in parts for i, found in part}
    return [f for i in range(len(policies)) for f in by_policy[i]]


def _evaluate_batch(shared: tuple[Sequence[Policy], Index, Config], batch: list[int]
                    ) -> list[tuple[int, list[Finding]]]:
    policies, index, config = shared
    return [(i, _evaluate_policy(policies[i], index, config)) for i in batch]


def _evaluate_policy(policy: Policy, index: Index, config: Config) -> list[Finding]:
    """The verdicts of one policy on every resource it applies to."""
    groups = reference_groups()
    findings: list[Finding] = []
    check = resolved_check(policy, config.parameters.get(policy.id))
    kind = KINDS[policy.kind]
    applies = policy.applies_to
    edges = applies.get("referenced_by")
    if isinstance(edges, str):
        edges = groups[edges]
    excluded = applies.get("exclude_types", [])
    for res in index.of_types(policy.types):
        if not _in_source(policy, res) or any(fnmatch.fnmatchcase(res.type, p) for p in excluded):
            continue
        if edges and not index.referenced_by(res, edges):
            continue
        outcome: Outcome
        if "where" in applies:
            applies_here, why, cause = in_scope(applies["where"], res, index)
            if applies_here is False:
                continue
            if applies_here is None:
                outcome = Outcome("unknown", f"cannot tell whether the policy applies: {why}", cause=cause)
                findings.append(_finding(policy, res, outcome))
                continue
        judged: Outcome | None
        try:
            judged = kind.evaluate(res, check, index)
        except RecursionError:
            judged = Outcome("unknown", "value nested too deeply to evaluate", cause=CAUSE_EVALUATOR)
        if judged is not None:  # None: outside what the kind judges (no verdict)
            findings.append(_finding(policy, res, judged))
    return findings


def _finding(policy: Policy, res: Resource, outcome: Outcome) -> Finding:
    evidence = tuple(Evidence(d.path, res.line_of(d.path) if d.path else res.location.start_line, d.message)
                     for d in outcome.details)
    line = evidence[0].line if evidence and outcome.verdict != "pass" else res.location.start_line
    verdict: FindingVerdict = outcome.verdict
    set_at = tuple(dict.fromkeys(at for d in outcome.details if d.path for at in res.origin_of(d.path))) \
        if res.origins else ()
    return Finding(
        policy_id=policy.id, title=policy.title, severity=policy.severity,
        criteria=outcome.criteria or policy.criteria, verdict=verdict, message=outcome.message,
        resource=res.address, resource_type=res.type, source=res.source, file=res.location.file, line=line,
        remediation=policy.remediation, evidence=evidence, scope=res.scope, set_at=set_at,
        cause=(outcome.cause or CAUSE_EVALUATOR) if verdict == "unknown" else "",
    )
