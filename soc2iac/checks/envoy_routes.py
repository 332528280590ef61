"""What the Envoy route kinds (``route_authentication``, ``route_rate_limit``) share.

Not a kind itself. The Envoy parser describes each HTTP connection manager at
``connection_managers`` (``chains[*].http``): its ``http_filters`` in chain order
(``name``, ``kind``, ``disabled``, ``after_router``, the facts of their ``config``) and
its forwarding ``routes`` (``route_match``, the ``per_filter_config`` entries that reach
each filter on the route, route first, then virtual host, then route configuration, and
the counts of ``rate_limits`` descriptors). This module walks those routes, tells which
filters run for them and which per-route config a filter sees on a route (as Envoy
picks it), and turns one decision per route into an outcome: the first route that
fails decides, else the first unknown one, else every route passes.

A decision is a short text (``required: ...``, ``shadow mode: ...``) or an ``Unknown``,
with the path of the fact that decides it, so that the finding points at that line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from soc2iac.checks.base import Outcome, every
from soc2iac.model import MISSING, Resource, Unknown, join_path, resolve
from soc2iac.redact import describe

SCHEMA_PROPERTIES: Mapping[str, Any] = {
    "connection_managers": {
        "type": "string",
        "description": "Path of the HTTP connection manager descriptions (each with http_filters and routes).",
    },
}
DEFAULT_MANAGERS = "chains[*].http"


@dataclass(frozen=True)
class Filter:
    """One HTTP filter that runs (before the router), as the parser described it."""

    name: str
    kind: str
    config: Any  # the facts of its config (a mapping), or Unknown (ECDS)
    disabled: bool
    path: str  # of its http_filters entry

    @property
    def config_path(self) -> str:
        return f"{self.path}.config"


@dataclass(frozen=True)
class Manager:
    """One HTTP connection manager: the filters that run, the kinds of those after the router."""

    filters: tuple[Filter, ...]
    late: frozenset[str]
    filters_path: str


@dataclass(frozen=True)
class Route:
    facts: Mapping[str, Any]
    path: str


@dataclass(frozen=True)
class Decision:
    value: Any  # str, or Unknown
    at: str  # path of the fact that decides it


@dataclass(frozen=True)
class PerRoute:
    """How a filter applies to one route: disabled (and where that is decided, and whether by
    the filter's own ``disabled``), and the per-route config it sees (None: none) with its path."""

    disabled: bool
    where: str
    by_default: bool
    config: Any
    config_path: str


def manager(hcm: Mapping[str, Any], path: str) -> Manager:
    filters: list[Filter] = []
    late: set[str] = set()
    for i, entry in enumerate(_list(hcm.get("http_filters"))):
        if not isinstance(entry, Mapping):
            continue
        kind = str(entry.get("kind") or "other")
        if entry.get("after_router"):
            late.add(kind)
        elif kind != "router":
            filters.append(Filter(str(entry.get("name") or ""), kind, entry.get("config"),
                                  bool(entry.get("disabled")), f"{path}.http_filters[{i}]"))
    return Manager(tuple(filters), frozenset(late), f"{path}.http_filters")


def per_route(f: Filter, route: Route) -> PerRoute:
    """As Envoy reads ``typed_per_filter_config`` for a filter on a route: the most specific
    level wins; a ``FilterConfig`` decides whether the filter is disabled (else the filter's
    own ``disabled``) and may carry the config; a plain per-route config is taken as is."""
    disabled, where, by_default = f.disabled, f"{f.path}.disabled" if f.disabled else f.path, True
    config: Any = None
    config_path = ""
    taken = False
    for n, item in enumerate(_list(route.facts.get("per_filter_config"))):
        if not isinstance(item, Mapping) or item.get("filter") != f.name:
            continue
        path = f"{route.path}.per_filter_config[{n}]"
        if str(item.get("type") or "").endswith(".FilterConfig"):
            if by_default:
                disabled, where, by_default = bool(item.get("disabled")), path, False
            if not taken and "config" in item:
                config, config_path, taken = item["config"], f"{path}.config", True
        elif not taken:
            config, config_path, taken = item.get("config"), f"{path}.config", True
    return PerRoute(disabled, where, by_default, config, config_path)


def decisive(decisions: list[Decision], wanted: str) -> Decision | None:
    """The first decision whose text starts with ``wanted`` (e.g. "required"), else the first
    unknown one, else None: one filter that holds decides; an unknown one keeps it open."""
    return next((d for d in decisions if isinstance(d.value, str) and d.value.startswith(wanted)), None) or next(
        (d for d in decisions if isinstance(d.value, Unknown)), None)


def percent(facts: Mapping[str, Any], key: str) -> float | None:
    """A fraction the parser gave as a percentage: unset is 0% (Envoy's default), unreadable None."""
    value = facts.get(key)
    if value is None:
        return 0.0
    if isinstance(value, Unknown) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def pct(value: float) -> str:
    return f"{value:g}%"


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def evaluate_routes(resource: Resource, check: Mapping[str, Any], subject: str, wanted: str,
                    decide: Callable[[Manager, Route], Decision]) -> Outcome | None:
    """One decision per forwarding route of every connection manager: fail on the first whose
    text does not start with ``wanted``, else unknown on the first unknown, else pass. Routes
    that are themselves unknown (RDS) make the outcome unknown. No forwarding route at all (a
    listener whose routes only answer ``direct_response`` or redirect) is no verdict: nothing
    reaches an upstream, so nothing was checked. Messages name the route's
    ``subject`` (``chains[0].http.routes[1].authentication is 'opted out: ...'``), worded
    as the ``condition`` check these policies used before, so reports stay comparable; the
    evidence points at the fact that decides."""
    base = str(check.get("connection_managers") or DEFAULT_MANAGERS)
    where = f"{base}.routes"
    fails: list[tuple[str, str]] = []
    unknowns: list[tuple[str, str]] = []
    count = 0
    for hpath, hcm in resolve(resource.attributes, base):
        if isinstance(hcm, Unknown) and hcm is not MISSING:
            return every(where, count, [], [(hpath, f"{hpath} is {describe(hcm)}")])
        if not isinstance(hcm, Mapping) or hcm.get("routes") is None:
            continue
        rpath, routes = join_path(hpath, "routes"), hcm["routes"]
        if isinstance(routes, Unknown):
            return every(where, count, [], [(rpath, f"{rpath} is {describe(routes)}")])
        m = manager(hcm, hpath)
        items = list(enumerate(routes)) if isinstance(routes, list) else [(None, routes)]
        for r, facts in items:
            path = rpath if r is None else join_path(rpath, r)
            d = decide(m, Route(mapping(facts), path))
            count += 1
            said = f"{path}.{subject}"
            if isinstance(d.value, Unknown):
                unknowns.append((d.at, f"{said} cannot be known statically: {d.value.reason}"))
            elif not str(d.value).startswith(wanted):
                fails.append((d.at, f"{said} is {describe(d.value, said)}, expected {subject.replace('_', ' ')} to be {wanted}"))
    if not count:
        return None
    return every(where, count, fails, unknowns)
