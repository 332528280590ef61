"""Check kind route_authentication on the facts the Envoy parser describes: every decision
branch, where each points, and the outcome over all routes (pass, fail, unknown)."""

from __future__ import annotations

from typing import Any

import pytest

from envoy_facts import HTTP, decide, http_filter, listener, match, per_filter, route, router, rule
from soc2iac.checks import route_authentication
from soc2iac.model import Unknown
from soc2iac.parsers.envoy_http import match_facts

ROUTE = f"{HTTP}.routes[0]"
JWT = f"{HTTP}.http_filters[0]"
IDP = {"provider_name": "idp"}
REQUIREMENTS = {"strict": IDP, "weak": {"allow_missing": {}}}


def jwt(*rules: dict[str, Any], disabled: bool = False, **config: Any) -> dict[str, Any]:
    return http_filter("jwt_authn", "jwt", {"rules": list(rules), "requirement_map": REQUIREMENTS, **config},
                       disabled=disabled)


def ext_authz(**config: Any) -> dict[str, Any]:
    return http_filter("ext_authz", config=config)


def auth(filters: list[dict[str, Any]], one_route: dict[str, Any] | None = None) -> tuple[Any, str]:
    d = decide(route_authentication, filters, one_route or route())
    return d.value, d.at


# --- one route -------------------------------------------------------------------------

@pytest.mark.parametrize(("filters", "one_route", "value", "at"), [
    # no auth filter that runs
    ([router()], None, "not required: no jwt_authn or ext_authz HTTP filter", f"{HTTP}.http_filters"),
    ([router(), http_filter("jwt_authn", after_router=True)], None,
     "not required: the auth filter is after the router (never runs)", f"{HTTP}.http_filters"),
    # jwt_authn rules, first match wins
    ([jwt(rule(IDP))], None, "required: jwt_authn rules[0] requires 'idp'", f"{JWT}.config.rules[0]"),
    ([jwt(rule(None))], None, "opted out: jwt_authn rules[0] (prefix '/') has no requirement",
     f"{JWT}.config.rules[0]"),
    ([jwt(rule({"requires_any": {"requirements": [IDP, {"allow_missing_or_failed": {}}]}}))], None,
     "opted out: jwt_authn rules[0] (prefix '/') allows no JWT (allow_missing_or_failed)", f"{JWT}.config.rules[0]"),
    ([jwt(rule(None, match("prefix", "/api/health")), rule(IDP))], route(match("prefix", "/api")),
     "opted out (in part): jwt_authn rules[0] (prefix '/api/health') has no requirement", f"{JWT}.config.rules[0]"),
    ([jwt(rule(None, match("prefix", "/admin")), rule(IDP))], route(match("prefix", "/api")),
     "required: jwt_authn rules[1] requires 'idp'", f"{JWT}.config.rules[1]"),
    ([jwt(rule(requirement_name="nope"))], None, "required: jwt_authn rules[0] names unknown requirement 'nope' (denied)",
     f"{JWT}.config.rules[0]"),
    ([jwt(rule(requirement_name="weak"))], None, "opted out: jwt_authn rules[0] (prefix '/') allows no JWT (allow_missing)",
     f"{JWT}.config.rules[0]"),
    ([jwt(rule(IDP, match("prefix", "/admin")))], route(match("prefix", "/api")),
     "not required: no jwt_authn rule with a requirement covers the route", f"{JWT}.config.rules"),
    ([jwt()], None, "not required: no jwt_authn rule with a requirement covers the route", JWT),
    # per-route configs replace the rules
    ([jwt(rule(None))], route(None, per_filter("jwt", {"requirement_name": "strict"})),
     "required: per-route requirement 'strict' requires 'idp'", f"{ROUTE}.per_filter_config[0].config.requirement_name"),
    ([jwt(rule(IDP))], route(None, per_filter("jwt", {"requirement_name": "weak"})),
     "opted out: per-route requirement 'weak' allows no JWT (allow_missing)",
     f"{ROUTE}.per_filter_config[0].config.requirement_name"),
    ([jwt(rule(IDP))], route(None, per_filter("jwt", {"requirement_name": "nope"})),
     "required: requirement_name 'nope' unknown (all requests denied)",
     f"{ROUTE}.per_filter_config[0].config.requirement_name"),
    ([jwt(rule(IDP))], route(None, per_filter("jwt", {"disabled": True})),
     "opted out: jwt_authn per-route config sets disabled: true", f"{ROUTE}.per_filter_config[0].config.disabled"),
    ([jwt(rule(IDP))], route(None, per_filter("jwt", {})),
     "opted out: jwt_authn per-route config names no requirement", f"{ROUTE}.per_filter_config[0].config"),
    # the route level wins over the virtual host's
    ([jwt(rule(IDP))], route(None, per_filter("jwt", {"requirement_name": "strict"}),
                             per_filter("jwt", {"disabled": True}, level="virtual_host")),
     "required: per-route requirement 'strict' requires 'idp'", f"{ROUTE}.per_filter_config[0].config.requirement_name"),
    # disabled filters
    ([jwt(rule(IDP), disabled=True)], None, "opted out: jwt_authn disabled by default and not enabled here",
     f"{JWT}.disabled"),
    ([jwt(rule(IDP), disabled=True)], route(None, per_filter("jwt", wrapper=True, disabled=False)),
     "required: jwt_authn rules[0] requires 'idp'", f"{JWT}.config.rules[0]"),
    ([jwt(rule(IDP))], route(None, per_filter("jwt", wrapper=True, disabled=True)),
     "opted out: jwt_authn disabled by a FilterConfig", f"{ROUTE}.per_filter_config[0]"),
    ([jwt(rule(IDP))], route(None, per_filter("jwt", {"disabled": True}, wrapper=True)),
     "opted out: jwt_authn per-route config sets disabled: true", f"{ROUTE}.per_filter_config[0].config.disabled"),
    # ext_authz
    ([ext_authz()], None, "required: ext_authz", f"{HTTP}.http_filters[0]"),
    ([ext_authz(failure_mode_allow=True)], None, "required: ext_authz (fails open: failure_mode_allow)",
     f"{HTTP}.http_filters[0]"),
    ([ext_authz(filter_enabled=0.0)], None, "not required: ext_authz filter_enabled is 0%",
     f"{HTTP}.http_filters[0].config.filter_enabled"),
    ([ext_authz(filter_enabled=Unknown("filter_enabled cannot be read"))], None, "required: ext_authz",
     f"{HTTP}.http_filters[0]"),
    ([ext_authz()], route(None, per_filter("envoy.filters.http.ext_authz", wrapper=True, disabled=True)),
     "opted out: ext_authz disabled for the route", f"{ROUTE}.per_filter_config[0]"),
    ([ext_authz()], route(None, per_filter("envoy.filters.http.ext_authz", {"disabled": True})),
     "opted out: ext_authz per-route config sets disabled: true", f"{ROUTE}.per_filter_config[0].config.disabled"),
    # several filters: one that requires decides, else an opt-out is named first
    ([jwt(rule(None)), ext_authz()], None, "required: ext_authz", f"{HTTP}.http_filters[1]"),
    ([jwt(rule(IDP, match("prefix", "/admin"))), ext_authz(filter_enabled=0)], route(match("prefix", "/api"),
                                                                                     per_filter("jwt", {"disabled": True})),
     "opted out: jwt_authn per-route config sets disabled: true", f"{ROUTE}.per_filter_config[0].config.disabled"),
])
def test_decisions(filters: list[dict[str, Any]], one_route: dict[str, Any] | None, value: str, at: str) -> None:
    assert auth(filters, one_route) == (value, at)


@pytest.mark.parametrize(("filters", "one_route", "reason", "at"), [
    ([http_filter("jwt_authn", config=Unknown("the config of HTTP filter 'jwt' comes from ECDS"))], None,
     "the config of HTTP filter 'jwt' comes from ECDS", JWT),
    ([jwt(rule(None, match("regex", "/health.*")))], route(match("prefix", "/")),
     "jwt_authn rules[0] (regex '/health.*') has no requirement, and whether it matches requests of the route "
     "(prefix '/') cannot be told statically", f"{JWT}.config.rules"),
    ([jwt(rule(None, match("regex", "/health.*")), rule(IDP))], route(match("prefix", "/")),
     "jwt_authn rules[0] (regex '/health.*') has no requirement, and whether it matches requests of the route "
     "(prefix '/') cannot be told statically", f"{JWT}.config.rules[1]"),
    ([jwt(filter_state_rules={"name": "k"})], None,
     "no jwt_authn rule covers the route; filter_state_rules decide at run time", f"{JWT}.config.filter_state_rules"),
])
def test_unknown_decisions(filters: list[dict[str, Any]], one_route: dict[str, Any] | None, reason: str,
                           at: str) -> None:
    value, where = auth(filters, one_route)
    assert isinstance(value, Unknown) and value.reason == reason
    assert where == at


def test_an_unknown_filter_keeps_it_open_unless_another_requires() -> None:
    ecds = http_filter("jwt_authn", config=Unknown("from ECDS"))
    assert isinstance(auth([ecds, ext_authz(filter_enabled=0)])[0], Unknown)
    assert auth([ecds, ext_authz()]) == ("required: ext_authz", f"{HTTP}.http_filters[1]")


# --- which requests a rule covers -------------------------------------------------------
# (rules and routes as written, described by the parser's match_facts)

@pytest.mark.parametrize(("rule_match", "route_match", "expected"), [
    ({"prefix": "/"}, {"safe_regex": {"regex": "/v[0-9]+/.*"}}, "covers"),
    ({"prefix": "/api"}, {"prefix": "/api/v1"}, "covers"),
    ({"prefix": "/api/v1"}, {"prefix": "/api"}, "overlaps"),
    ({"prefix": "/admin"}, {"prefix": "/api"}, "disjoint"),
    ({"path": "/healthz"}, {"prefix": "/"}, "overlaps"),
    ({"path": "/healthz"}, {"path": "/healthz"}, "covers"),
    ({"prefix": "/API", "case_sensitive": False}, {"prefix": "/api/x"}, "covers"),
    ({"path_separated_prefix": "/api"}, {"prefix": "/api/"}, "covers"),
    ({"path_separated_prefix": "/api"}, {"prefix": "/apix"}, "disjoint"),
    ({"safe_regex": {"regex": ".*"}}, {"path": "/x"}, "covers"),
    ({"safe_regex": {"regex": "/health.*"}}, {"path": "/healthz"}, "covers"),
    ({"safe_regex": {"regex": "/health.*"}}, {"prefix": "/"}, "unknown"),
    ({"prefix": "/", "headers": [{"name": "x-internal", "present_match": True}]}, {"prefix": "/a"}, "overlaps"),
])
def test_rule_route_relation(rule_match: dict, route_match: dict, expected: str) -> None:
    assert route_authentication.relation(match_facts(rule_match), match_facts(route_match)) == expected


@pytest.mark.parametrize(("req", "ok"), [
    ({"provider_name": "a"}, True),
    ({}, False),
    (None, False),
    ({"allow_missing": {}}, False),
    ({"requires_any": {"requirements": [{"provider_name": "a"}, {"allow_missing_or_failed": {}}]}}, False),
    ({"requires_any": {"requirements": [{"provider_name": "a"}, {"provider_name": "b"}]}}, True),
    ({"requires_all": {"requirements": [{"provider_name": "a"}, {"allow_missing": {}}]}}, True),
])
def test_requirement_enforces(req: object, ok: bool) -> None:
    assert route_authentication.requirement_enforces(req, {})[0] is ok


# --- the outcome over every route ---------------------------------------------------------

CHECK = {"kind": "route_authentication", "connection_managers": "chains[*].http"}


def test_pass_when_every_route_requires_authentication() -> None:
    res = listener([jwt(rule(IDP)), router()], [route(), route(match("path", "/x"))])
    outcome = route_authentication.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert (outcome.verdict, outcome.message) == ("pass", "every entry of chains[*].http.routes holds (2)")
    assert outcome.path == "chains[*].http.routes"


def test_no_verdict_without_forwarding_routes() -> None:
    # nothing reaches an upstream (only direct_response/redirect routes): nothing checked, no pass
    assert route_authentication.evaluate(listener([router()], []), CHECK, None) is None  # type: ignore[arg-type]


def test_fail_names_the_route_and_points_at_the_deciding_fact() -> None:
    disabled = route(match("prefix", "/public"), per_filter("jwt", {"disabled": True}))
    res = listener([jwt(rule(IDP)), router()], [route(), disabled])
    outcome = route_authentication.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "fail"
    assert outcome.message == ("chains[0].http.routes[1].authentication is 'opted out: jwt_authn per-route config "
                               "sets disabled: true', expected authentication to be required")
    assert outcome.path == "chains[0].http.routes[1].per_filter_config[0].config.disabled"


def test_a_failing_route_wins_over_an_unknown_one() -> None:
    unknown = route(match("prefix", "/"))
    res = listener([jwt(rule(None, match("regex", "/health.*"))), router()],
                   [unknown, route(match("prefix", "/health"), per_filter("jwt", {"disabled": True}))])
    outcome = route_authentication.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "fail" and outcome.message.startswith("chains[0].http.routes[1].authentication is")


def test_unknown_route_decision() -> None:
    res = listener([jwt(filter_state_rules={"name": "k"}), router()], [route()])
    outcome = route_authentication.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "unknown"
    assert outcome.message == ("chains[0].http.routes[0].authentication cannot be known statically: no jwt_authn "
                               "rule covers the route; filter_state_rules decide at run time")
    assert outcome.path == "chains[0].http.http_filters[0].config.filter_state_rules"


def test_routes_from_rds_are_unknown() -> None:
    res = listener([router()], Unknown("routes come from RDS (not in this file)"))
    outcome = route_authentication.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "unknown"
    assert outcome.message == "chains[0].http.routes is unknown (routes come from RDS (not in this file))"
    assert outcome.path == "chains[0].http.routes"


def test_connection_managers_path_is_a_parameter() -> None:
    res = listener([router()], [route()])
    moved = type(res)(**{**res.__dict__, "attributes": {"listener": {"hcm": res.attributes["chains"][0]["http"]}}})
    outcome = route_authentication.evaluate(moved, {"kind": "route_authentication",  # type: ignore[arg-type]
                                                    "connection_managers": "listener.hcm"}, None)
    assert outcome.verdict == "fail" and outcome.message.startswith("listener.hcm.routes[0].authentication is")
    assert outcome.path == "listener.hcm.http_filters"
