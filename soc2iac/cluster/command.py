"""``soc2iac cluster``: collect a live cluster, run the policies, build the scan result.

Forbidden is not absent: a policy that needs a kind the reviewer may not list
gets an ``unknown`` finding "not evaluated" per such kind. When the kind is one
the policy applies to (``applies_to.types``), the objects of other kinds and
namespaces that were read keep their verdicts. When it is one the policy looks
up through ``related`` (e.g. the Roles behind RoleBindings), the engine is told
which kinds are unread: a verdict stands when what was read decides it (a
ClusterRoleBinding never names a Role; a built-in role fails whatever Roles
hold) and is ``unknown`` only where unread objects could change it. Kinds looked
up through ``referenced_by`` edges leave every verdict of the policy ``unknown``:
a pass may miss what the unread objects hold, and a fail may be the fail-closed
answer to their absence. Nothing that depends on unread data passes.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from pathlib import Path
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from soc2iac.clock import utc_now
from soc2iac.cluster.collector import Collection, collect
from soc2iac.cluster.kinds import NotCollected, format_rule
from soc2iac.config import Config
from soc2iac.errors import InputProblem
from soc2iac.model import CAUSE_UNREAD, Unread
from soc2iac.parsers.registry import sources_of
from soc2iac.pipeline import Collected, Options, run
from soc2iac.policy import Policy, reference_groups
from soc2iac.redact import redact_text, shown_url
from soc2iac.result import Finding, ScanResult, Scope
from soc2iac.waivers import Waiver

LIVE_SOURCE = "cluster"  # Resource.source of what the collector reads


def run_cluster(
    *,
    kubeconfig: str | os.PathLike[str] | None,
    context: str | None,
    namespaces: Sequence[str],
    all_namespaces: bool,
    exclude_namespaces: Sequence[str],
    policies: Sequence[Policy],
    config: Config,
    quiet: bool,
    progress_stream: IO[str] | None = None,
    register: Sequence[Waiver] = (),
    inline_waivers: bool = True,
    snapshot_dir: Path | None = None,
    known_policies: frozenset[str] | None = None,
    **collect_options: Any,
) -> ScanResult:
    """Collect the cluster of ``context`` and evaluate ``policies`` on it.

    ``collect_options`` go to :func:`soc2iac.cluster.collector.collect`
    (``time_limit``, ``page_size``, ``timeout``, ``max_pages``, ``max_retries``, ...);
    the CLI passes ``time_limit`` (``--timeout``). Raises :class:`soc2iac.errors.Soc2iacError` when the cluster
    cannot be used at all (kubeconfig, 401, unreachable server).
    """
    started = utc_now()
    collection = collect(kubeconfig=kubeconfig, context=context, namespaces=namespaces,
                         all_namespaces=all_namespaces, exclude_namespaces=exclude_namespaces,
                         quiet=quiet, progress_stream=progress_stream, **collect_options)
    result = result_of(collection, policies, config, started=started, register=register,
                       inline_waivers=inline_waivers, known_policies=known_policies)
    if snapshot_dir is not None:
        from soc2iac.cluster.snapshot import write_snapshot

        written = write_snapshot(collection.resources, snapshot_dir, context=collection.context)
        result.notices += written.notices
        result.notices.append(f"snapshot of {len(collection.resources)} object(s) written to "
                              f"{written.folder} ({len(written.files)} file(s)); secret values redacted")
    return result


def result_of(collection: Collection, policies: Sequence[Policy], config: Config, *, started: str = "",
              register: Sequence[Waiver] = (), inline_waivers: bool = True,
              known_policies: frozenset[str] | None = None) -> ScanResult:
    """The scan result of a finished collection (also usable on a collection built by hand)."""
    collection = _redacted(collection)
    blocked = [n for n in collection.not_collected if n.blocks_evaluation]
    # a kind lost to server errors (after bounded retries) makes the audit incomplete: an input
    # error (exit 2), unlike a forbidden kind, which is an expected RBAC scope reported as not evaluated
    failed = [InputProblem(f"{collection.context or 'cluster'}/{n.kind}", f"not collected ({n.reason}); "
                           "policies that need it are not evaluated")
              for n in collection.not_collected if n.reason.startswith("error")]
    collected = Collected(resources=collection.resources, problems=failed, notices=_notices(collection),
                          scope=Scope(cluster=collection.scope),
                          unread=[Unread(n.type, _reason(n), n.namespace) for n in blocked if n.type])

    def not_evaluated(findings: list[Finding]) -> list[Finding]:
        return _not_evaluated(findings, policies, blocked, collection.context)

    options = Options(register=register, inline_waivers=inline_waivers, known_policies=known_policies)
    return run(policies, collected, config, options,
               adjust=not_evaluated if blocked else None, started=started or collection.collected_at)


def _redacted(collection: Collection) -> Collection:
    """The collection with every text that reaches a report redacted (server URL, reasons quoted
    from the server or the HTTP library, notices): one redactor, applied where the collection
    becomes a result."""
    return dataclasses.replace(
        collection, server=shown_url(collection.server), notices=[redact_text(n) for n in collection.notices],
        not_collected=[dataclasses.replace(n, reason=redact_text(n.reason)) for n in collection.not_collected])


def _notices(collection: Collection) -> list[str]:
    out = list(collection.notices)
    unread = [n for n in collection.not_collected if n.blocks_evaluation]
    if unread:
        out.append("could not read (policies that need these kinds are not evaluated):")
        out += [f"  {n.describe()}" for n in unread]
    absent = [n.kind for n in collection.not_collected if not n.blocks_evaluation and not n.namespace]
    if absent:
        out.append(f"not present in the cluster (API not served, skipped): {', '.join(absent)}")
    return out


def kinds_needed(policy: Policy) -> tuple[set[str], set[str], set[str]]:
    """Kind patterns the policy (applies to, looks up through ``referenced_by`` edges, looks up
    through ``related`` conditions)."""
    applies = policy.applies_to
    direct = {str(t) for t in applies.get("types", [])}
    edge_types: set[str] = set()
    edges = applies.get("referenced_by")
    if isinstance(edges, str):
        edges = reference_groups().get(edges, [])
    for edge in edges or []:
        if isinstance(edge, Mapping) and "type" in edge:
            edge_types.add(str(edge["type"]))
    related: set[str] = set()
    for node in _walk(applies.get("where")):
        related |= node
    for node in _walk(policy.check):
        related |= node
    return direct, edge_types, related


def _walk(value: Any) -> Iterator[set[str]]:
    """The ``types`` lists of every ``related`` lookup under ``value``."""
    if isinstance(value, Mapping):
        related = value.get("related")
        if isinstance(related, Mapping) and isinstance(related.get("types"), list):
            yield {str(t) for t in related["types"]}
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _matches(kind: str, patterns: set[str]) -> bool:
    return any(fnmatch.fnmatchcase(kind, p) for p in patterns)


def _not_evaluated(findings: list[Finding], policies: Sequence[Policy], blocked: Sequence[NotCollected],
                   context: str) -> list[Finding]:
    out = list(findings)
    for policy in policies:
        sources = sources_of(policy.applies_to.get("source", ""))
        if sources is not None and LIVE_SOURCE not in sources:
            continue
        direct, edge_types, related = kinds_needed(policy)
        excluded = {str(t) for t in policy.applies_to.get("exclude_types", [])}
        missing = [n for n in blocked if n.type and (_matches(n.type, direct) and not _matches(n.type, excluded)
                                                     or _matches(n.type, edge_types | related))]
        if not missing:
            continue
        why = "; ".join(_reason(n) for n in _unique(missing))
        for n in _unique(missing):
            where = f"{context}/{n.namespace}/{n.type}" if n.namespace else f"{context}/{n.type}"
            out.append(Finding(
                policy_id=policy.id, title=policy.title, severity=policy.severity, criteria=policy.criteria,
                verdict="unknown", message=f"not evaluated: {_reason(n)}",
                resource=f"{n.namespace + '/' if n.namespace else ''}{n.type}/*", resource_type=n.type,
                source="cluster", file=where, line=0, remediation=policy.remediation, cause=CAUSE_UNREAD,
            ))
        if any(_matches(n.type, edge_types) for n in missing):
            # which resources the policy applies to depends on objects of a kind that could not be
            # listed: a pass may miss what they hold, a fail may be the fail-closed answer to their
            # absence (``related`` lookups are settled per verdict by the engine)
            out = [dataclasses.replace(
                f, verdict="unknown", evidence=(), cause=CAUSE_UNREAD,
                message=f"not evaluated: {why} (the check reads it; with what could be read it would be {f.verdict})")
                if f.policy_id == policy.id and f.verdict in ("pass", "fail") and not f.change else f for f in out]
    return out


def _unique(items: Sequence[NotCollected]) -> list[NotCollected]:
    seen: dict[tuple[str, str, str], NotCollected] = {}
    for n in items:
        seen.setdefault((n.kind, n.namespace, n.reason), n)
    return list(seen.values())


def _reason(n: NotCollected) -> str:
    where = f" in namespace {n.namespace}" if n.namespace else ""
    text = f"{n.kind}{where} could not be listed ({n.reason})"
    if n.rule and n.reason == "forbidden":
        text += f"; allow with {format_rule(n.rule)}"
    return text


__all__ = ["run_cluster", "result_of", "kinds_needed"]
