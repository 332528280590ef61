"""Check kind ``route_rate_limit``: every Envoy route that forwards upstream is rate limited,
and the limit is enforced (not in shadow mode).

Reads the HTTP connection managers the Envoy parser describes at ``connection_managers``
(default ``chains[*].http``; see ``soc2iac.checks.envoy_routes``). For each forwarding
route, over the rate-limit filters that run before the router:

- ``local_ratelimit``: the effective config is the route's per-filter config (route, else
  virtual host, else route configuration), else the filter's own. It enforces limits only
  with a ``token_bucket`` and a non-zero ``filter_enabled`` AND ``filter_enforced`` (both
  default to 0%); enabled but not enforced is ``shadow mode`` (counts, never rejects). A
  filter disabled for the route (by default, or by a ``FilterConfig``) does not limit it;
- ``ratelimit`` (the global rate limit service) counts for routes whose route or virtual
  host defines ``rate_limits`` descriptors, unless disabled for the route.

One enforcing filter decides; otherwise an unknown one (a config from ECDS, a fraction that
cannot be read) keeps it open. No rate-limit filter, or one only after the router, is
``absent``. Routes from RDS are unknown.

Passes: a local_ratelimit filter with a token_bucket and filter_enabled / filter_enforced
``default_value: {numerator: 100, denominator: HUNDRED}``.
Fails: the same filter without filter_enforced (shadow mode; the finding points at the
config that is in effect).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soc2iac.checks.base import Context, Outcome
from soc2iac.checks.envoy_routes import (SCHEMA_PROPERTIES, Decision, Manager, Route, decisive, evaluate_routes,
                                         mapping, pct, per_route, percent)
from soc2iac.model import Resource, Unknown

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {"kind": {"const": "route_rate_limit"}, **SCHEMA_PROPERTIES},
}


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome | None:
    return evaluate_routes(resource, check, "rate_limit", "enforced", decide)


def decide(m: Manager, route: Route) -> Decision:
    """Whether requests of ``route`` are rate limited by a filter that rejects over the limit."""
    local = [f for f in m.filters if f.kind == "local_ratelimit"]
    global_ = [f for f in m.filters if f.kind == "ratelimit"]
    if not local and not global_:
        if m.late & {"local_ratelimit", "ratelimit"}:
            return Decision("absent: the rate limit filter is after the router (never runs)", m.filters_path)
        return Decision("absent: no local_ratelimit HTTP filter", m.filters_path)
    reasons: list[Decision] = []
    for f in local:
        if isinstance(f.config, Unknown):
            reasons.append(Decision(f.config, f.path))
            continue
        pr = per_route(f, route)
        if pr.disabled:
            reasons.append(Decision("disabled: local_ratelimit filter disabled for the route", pr.where))
        elif isinstance(pr.config, Mapping):
            reasons.append(local_status(pr.config, pr.config_path, "per-route "))
        else:
            reasons.append(local_status(mapping(f.config), f.config_path, ""))
    for f in global_:
        descriptors = route.facts.get("rate_limits") or route.facts.get("virtual_host_rate_limits")
        pr = per_route(f, route)
        if isinstance(f.config, Unknown):
            reasons.append(Decision(f.config, f.path))
        elif pr.disabled:
            reasons.append(Decision("disabled: ratelimit filter disabled for the route", pr.where))
        elif not descriptors:
            reasons.append(Decision("absent: ratelimit filter, but no rate_limits on the route", route.path))
        else:
            domain = mapping(f.config).get("domain")
            reasons.append(Decision(f"enforced: global rate limit service (domain {domain!r})", f.path))
    return decisive(reasons, "enforced") or reasons[0]


def local_status(cfg: Mapping[str, Any], cfg_path: str, scope: str) -> Decision:
    """What one local_ratelimit config (the filter's, or a per-route one) does to requests."""
    if not isinstance(cfg.get("token_bucket"), Mapping):
        return Decision(f"not limiting: {scope}local_ratelimit config has no token_bucket", cfg_path)
    enabled = percent(cfg, "filter_enabled")
    enforced = percent(cfg, "filter_enforced")
    if enabled is None or enforced is None:
        return Decision(Unknown(f"the {scope}local_ratelimit config has a fraction that cannot be read"), cfg_path)
    if not enabled:
        why = "is 0%" if "filter_enabled" in cfg else "not set (defaults to 0%)"
        return Decision(f"disabled: {scope}filter_enabled {why}",
                        f"{cfg_path}.filter_enabled" if "filter_enabled" in cfg else cfg_path)
    if not enforced:
        why = "is 0%" if "filter_enforced" in cfg else "not set (defaults to 0%)"
        return Decision(f"shadow mode: {scope}filter_enforced {why} (filter_enabled {pct(enabled)})",
                        f"{cfg_path}.filter_enforced" if "filter_enforced" in cfg else cfg_path)
    return Decision(f"enforced: {scope}local_ratelimit (enabled {pct(enabled)}, enforced {pct(enforced)})", cfg_path)
