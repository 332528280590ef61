"""Types shared by the check kinds and the engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from soc2iac.model import Resource

if TYPE_CHECKING:
    from soc2iac.gateway_graph import Graph

Verdict = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class Detail:
    """One piece of evidence: an attribute path of the resource and what was seen there."""

    path: str
    message: str


@dataclass(frozen=True)
class Outcome:
    """What a check kind concluded about one resource."""

    verdict: Verdict
    message: str
    details: tuple[Detail, ...] = ()
    criteria: tuple[str, ...] = ()  # where a kind's verdicts bear on fewer criteria than the policy lists
    cause: str = ""  # for unknown: why (soc2iac.model.CAUSES); the engine defaults it to the evaluator's limits

    @property
    def path(self) -> str:
        """The attribute path that decided the verdict (the first detail's), or ''."""
        return self.details[0].path if self.details else ""


class Context(Protocol):
    """What a check kind may ask about the rest of the scan."""

    def related(self, resource: Resource, spec: Mapping[str, Any]) -> list[tuple[Resource, bool]]:
        """Related resources, each with whether the relation is certain (a reference) or only possible."""
        ...

    def unread_related(self, resource: Resource, spec: Mapping[str, Any]) -> str:
        """Why objects the lookup could find may exist unread (a kind not collected); '' when none can."""
        ...

    def by_address(self, address: str, scope: str | None = None) -> Resource | None: ...

    def referenced_by(self, resource: Resource, edges: Sequence[Mapping[str, str]]) -> bool:
        """Whether a resource of an edge's ``type`` refers to ``resource`` through its ``path``."""
        ...

    def gateway_graph(self, gateways: Sequence[Mapping[str, Any]], resource: Resource | None = None) -> Graph:
        """The gateway graph (routes, Services, workloads) of ``resource``'s environment for these
        declared gateways, built once."""
        ...


class CheckKind(Protocol):
    """A reusable check: a JSON Schema for its parameters and an evaluate function."""

    SCHEMA: Mapping[str, Any]

    def evaluate(self, resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome | None:
        """The verdict on ``resource``; None when the resource is outside what the kind judges."""
        ...


def combine(details: Sequence[Detail]) -> str:
    return "; ".join(d.message for d in details)


def every(where: str, count: int, fails: Sequence[tuple[str, str]], unknowns: Sequence[tuple[str, str]]) -> Outcome:
    """The outcome over ``count`` entries of ``where`` given the ``(path, message)`` of those
    that fail and of those that cannot be known: the first failing one decides, else the first
    unknown one, else all pass (worded as the ``condition`` kind's ``each``)."""
    for verdict, found in (("fail", fails), ("unknown", unknowns)):
        if found:
            path, message = found[0]
            return Outcome(verdict, message, (Detail(path, message),))  # type: ignore[arg-type]
    message = f"every entry of {where} holds ({count})" if count else f"{where} has no entries"
    return Outcome("pass", message, (Detail(where, message),))
