"""Check kind ``route_authentication``: every Envoy route that forwards upstream requires
authentication (jwt_authn or ext_authz), with no opt-outs.

Reads the HTTP connection managers the Envoy parser describes at ``connection_managers``
(default ``chains[*].http``; see ``soc2iac.checks.envoy_routes``). For each forwarding
route it decides, as Envoy applies the filters that run before the router:

- no jwt_authn or ext_authz filter (or only after the router, where filters never run):
  ``not required``;
- jwt_authn: a filter ``disabled`` by default and not enabled for the route, or a
  ``FilterConfig`` with ``disabled: true``, opts the route out. A per-route
  ``PerRouteConfig`` replaces the rules: ``disabled: true`` opts out, a
  ``requirement_name`` is looked up in ``requirement_map`` (an unknown name denies every
  request, which counts as required). Otherwise the rules are read in order, first match
  wins: a rule that matches the route, or part of it, with no requirement (no
  ``requires``, an empty one, or one satisfied by ``allow_missing`` /
  ``allow_missing_or_failed``, also inside ``requires_any``) opts it out; a rule with a
  requirement that covers the whole route makes it required; a route no rule covers is
  not authenticated. An overlap that cannot be told statically (regexes, other matchers)
  or ``filter_state_rules`` give unknown, as does a filter config from ECDS;
- ext_authz counts unless disabled for the route (``FilterConfig`` or
  ``ExtAuthzPerRoute.disabled``) or ``filter_enabled`` is 0%.

One filter that requires authentication decides; otherwise an unknown one keeps it open;
otherwise an opt-out is reported before other reasons. Routes from RDS are unknown.

Passes: a jwt_authn rule ``{match: {prefix: /}, requires: {provider_name: idp}}``.
Fails: the same filter with a route whose ``typed_per_filter_config`` sets
``disabled: true`` for it (the finding points at that line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from soc2iac.checks.base import Context, Outcome
from soc2iac.checks.envoy_routes import (SCHEMA_PROPERTIES, Decision, Filter, Manager, Route, decisive,
                                         evaluate_routes, mapping, per_route, percent)
from soc2iac.model import Resource, Unknown

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {"kind": {"const": "route_authentication"}, **SCHEMA_PROPERTIES},
}

AUTH_KINDS = ("jwt_authn", "ext_authz")


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome | None:
    return evaluate_routes(resource, check, "authentication", "required", decide)


def decide(m: Manager, route: Route) -> Decision:
    """Whether every request of ``route`` must pass jwt_authn or ext_authz (texts stay short:
    messages show at most 80 characters of them)."""
    auth = [f for f in m.filters if f.kind in AUTH_KINDS]
    if not auth:
        if m.late & set(AUTH_KINDS):
            return Decision("not required: the auth filter is after the router (never runs)", m.filters_path)
        return Decision("not required: no jwt_authn or ext_authz HTTP filter", m.filters_path)
    results = [_jwt(f, route) if f.kind == "jwt_authn" else _ext_authz(f, route) for f in auth]
    return decisive(results, "required") or next(
        (r for r in results if str(r.value).startswith("opted out")), results[0])


def _jwt(f: Filter, route: Route) -> Decision:
    if isinstance(f.config, Unknown):
        return Decision(f.config, f.path)
    pr = per_route(f, route)
    if pr.disabled:
        how = "by default and not enabled here" if pr.by_default else "by a FilterConfig"
        return Decision(f"opted out: jwt_authn disabled {how}", pr.where)
    cfg = mapping(f.config)
    req_map = mapping(cfg.get("requirement_map"))
    if isinstance(pr.config, Mapping):
        if pr.config.get("disabled"):
            return Decision("opted out: jwt_authn per-route config sets disabled: true", f"{pr.config_path}.disabled")
        name = pr.config.get("requirement_name")
        if name and isinstance(name, str):
            at = f"{pr.config_path}.requirement_name"
            if name not in req_map:  # Envoy rejects the route's requests (403)
                return Decision(f"required: requirement_name {name!r} unknown (all requests denied)", at)
            ok, why = requirement_enforces(req_map[name], req_map)
            return Decision(f"{'required' if ok else 'opted out'}: per-route requirement {name!r} {why}", at)
        return Decision("opted out: jwt_authn per-route config names no requirement", pr.config_path)
    return _rules(f, cfg, req_map, route)


def _rules(f: Filter, cfg: Mapping[str, Any], req_map: Mapping[str, Any], route: Route) -> Decision:
    rules = _list(cfg.get("rules"))
    route_match = mapping(route.facts.get("route_match"))
    unknown: str | None = None
    for j, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        rule_match = mapping(rule.get("match"))
        rel = relation(rule_match, route_match)
        if rel == "disjoint":
            continue
        rule_path = f"{f.config_path}.rules[{j}]"
        name = rule.get("requirement_name")
        if name and isinstance(name, str):
            ok, why = requirement_enforces(req_map[name], req_map) if name in req_map else (
                True, f"names unknown requirement {name!r} (denied)")
        else:
            ok, why = requirement_enforces(rule.get("requires"), req_map)
        rule_desc = f"jwt_authn rules[{j}] ({rule_match.get('text')})"
        if rel == "covers":
            if not ok:
                return Decision(f"opted out: {rule_desc} {why}", rule_path)
            if unknown is not None:
                return Decision(Unknown(unknown), rule_path)
            return Decision(f"required: jwt_authn rules[{j}] {why}", rule_path)
        if not ok and rel == "overlaps":
            return Decision(f"opted out (in part): {rule_desc} {why}", rule_path)
        if not ok and rel == "unknown" and unknown is None:
            unknown = (f"{rule_desc} {why}, and whether it matches requests of the route "
                       f"({route_match.get('text')}) cannot be told statically")
    if unknown is not None:
        return Decision(Unknown(unknown), f"{f.config_path}.rules")
    if cfg.get("filter_state_rules"):
        return Decision(Unknown("no jwt_authn rule covers the route; filter_state_rules decide at run time"),
                        f"{f.config_path}.filter_state_rules")
    return Decision("not required: no jwt_authn rule with a requirement covers the route",
                    f"{f.config_path}.rules" if rules else f.path)


def _ext_authz(f: Filter, route: Route) -> Decision:
    if isinstance(f.config, Unknown):
        return Decision(f.config, f.path)
    pr = per_route(f, route)
    if pr.disabled:
        return Decision("opted out: ext_authz disabled for the route", pr.where)
    if isinstance(pr.config, Mapping) and pr.config.get("disabled"):
        return Decision("opted out: ext_authz per-route config sets disabled: true", f"{pr.config_path}.disabled")
    cfg = mapping(f.config)
    if "filter_enabled" in cfg and percent(cfg, "filter_enabled") == 0:
        return Decision("not required: ext_authz filter_enabled is 0%", f"{f.config_path}.filter_enabled")
    note = " (fails open: failure_mode_allow)" if cfg.get("failure_mode_allow") is True else ""
    return Decision(f"required: ext_authz{note}", f.path)


# -- which requests a rule's match covers -------------------------------------------------

def relation(rule: Mapping[str, Any], route: Mapping[str, Any]) -> str:
    """How the requests a rule matches relate to those a route matches, from the parser's
    match descriptions (``path``, ``conditions``, ``case_insensitive``): ``covers`` (all of
    the route's), ``overlaps`` (some), ``disjoint`` or ``unknown``."""
    spec, route_spec = _spec(rule), _spec(route)
    if spec == ("prefix", "") or spec == ("prefix", "/"):
        return "overlaps" if rule.get("conditions") else "covers"
    if spec is None or route_spec is None:
        return "unknown"
    rk, rv = spec
    qk, qv = route_spec
    if rule.get("case_insensitive") or route.get("case_insensitive"):
        rv, qv = rv.lower(), qv.lower()
    base = _path_relation(rk, rv, qk, qv)
    if base == "covers" and rule.get("conditions"):
        return "overlaps"  # the rule applies only to requests that also meet its conditions
    return base


def _spec(match: Mapping[str, Any]) -> tuple[str, str] | None:
    path = match.get("path")
    if isinstance(path, list) and len(path) == 2 and all(isinstance(p, str) for p in path):
        return path[0], path[1]
    return None


def _path_relation(rk: str, rv: str, qk: str, qv: str) -> str:
    if rk == "prefix" and rv in ("", "/"):
        return "covers"
    if rk == "prefix":
        if qk == "prefix":
            return "covers" if qv.startswith(rv) else "overlaps" if rv.startswith(qv) else "disjoint"
        if qk == "path":
            return "covers" if qv.startswith(rv) else "disjoint"
        if qk == "path_separated_prefix":
            return "covers" if qv.startswith(rv) else "overlaps" if rv.startswith(qv) else "disjoint"
        return "unknown"
    if rk == "path":
        if qk == "path":
            return "covers" if qv == rv else "disjoint"
        if qk == "prefix":
            return "overlaps" if rv.startswith(qv) else "disjoint"
        if qk == "path_separated_prefix":
            return "overlaps" if rv == qv or rv.startswith(qv + "/") else "disjoint"
        return _regex_relation(qv, rv, "overlaps")
    if rk == "path_separated_prefix":
        if qk == "prefix":
            return "covers" if qv.startswith(rv + "/") else "overlaps" if rv.startswith(qv) else "disjoint"
        if qk in ("path", "path_separated_prefix"):
            if qv == rv or qv.startswith(rv + "/"):
                return "covers"
            return "overlaps" if qk == "path_separated_prefix" and rv.startswith(qv + "/") else "disjoint"
        return "unknown"
    if rk == "regex" and qk == "path":
        return _regex_relation(rv, qv, "covers")
    return "unknown"


def _regex_relation(regex: str, path: str, hit: str) -> str:
    try:
        return hit if re.fullmatch(regex, path) else "disjoint"
    except re.error:
        return "unknown"


def requirement_enforces(req: Any, requirement_map: Mapping[str, Any], depth: int = 0) -> tuple[bool, str]:
    """Whether a JwtRequirement rejects requests without a valid JWT, and a short why."""
    if depth > 20 or not isinstance(req, Mapping) or not req:
        return False, "has no requirement"
    if req.get("provider_name"):
        return True, f"requires {req['provider_name']!r}"
    if isinstance(req.get("provider_and_audiences"), Mapping):
        return True, f"requires {req['provider_and_audiences'].get('provider_name')!r}"
    for key in ("allow_missing", "allow_missing_or_failed"):
        if key in req:
            return False, f"allows no JWT ({key})"
    if isinstance(req.get("requires_any"), Mapping):
        parts = [requirement_enforces(r, requirement_map, depth + 1) for r in _list(req["requires_any"].get("requirements"))]
        weak = next((why for ok, why in parts if not ok), None)
        if parts and weak is None:
            return True, "requires any of " + ", ".join(why.removeprefix("requires ") for _, why in parts)
        return False, weak or "has an empty requires_any"
    if isinstance(req.get("requires_all"), Mapping):
        parts = [requirement_enforces(r, requirement_map, depth + 1) for r in _list(req["requires_all"].get("requirements"))]
        strong = [why for ok, why in parts if ok]
        if strong:
            return True, "requires all of " + ", ".join(why.removeprefix("requires ") for why in strong)
        return False, "requires_all: nothing needs a JWT"
    return False, "has no requirement"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
