"""Check kind route_rate_limit on the facts the Envoy parser describes: every decision branch,
where each points, and the outcome over all routes (pass, fail, unknown)."""

from __future__ import annotations

from typing import Any

import pytest

from envoy_facts import HTTP, decide, http_filter, listener, per_filter, route, router
from soc2iac.checks import route_rate_limit
from soc2iac.model import Unknown

ROUTE = f"{HTTP}.routes[0]"
LOCAL = f"{HTTP}.http_filters[0]"
BUCKET = {"max_tokens": 10, "tokens_per_fill": 10, "fill_interval": "1s"}
ON = {"token_bucket": BUCKET, "filter_enabled": 100.0, "filter_enforced": 100.0}


def local(config: Any = None, *, disabled: bool = False) -> dict[str, Any]:
    return http_filter("local_ratelimit", "rl", ON if config is None else config, disabled=disabled)


def global_limit(**config: Any) -> dict[str, Any]:
    return http_filter("ratelimit", config={"domain": "edge", **config})


def rate(filters: list[dict[str, Any]], one_route: dict[str, Any] | None = None) -> tuple[Any, str]:
    d = decide(route_rate_limit, filters, one_route or route())
    return d.value, d.at


@pytest.mark.parametrize(("filters", "one_route", "value", "at"), [
    ([router()], None, "absent: no local_ratelimit HTTP filter", f"{HTTP}.http_filters"),
    ([router(), http_filter("local_ratelimit", after_router=True)], None,
     "absent: the rate limit filter is after the router (never runs)", f"{HTTP}.http_filters"),
    ([router(), http_filter("ratelimit", after_router=True)], None,
     "absent: the rate limit filter is after the router (never runs)", f"{HTTP}.http_filters"),
    # the filter's own config
    ([local()], None, "enforced: local_ratelimit (enabled 100%, enforced 100%)", f"{LOCAL}.config"),
    ([local({**ON, "filter_enforced": 50.0})], None, "enforced: local_ratelimit (enabled 100%, enforced 50%)",
     f"{LOCAL}.config"),
    ([local({"filter_enabled": 100.0})], None, "not limiting: local_ratelimit config has no token_bucket",
     f"{LOCAL}.config"),
    ([local({"token_bucket": BUCKET})], None, "disabled: filter_enabled not set (defaults to 0%)", f"{LOCAL}.config"),
    ([local({"token_bucket": BUCKET, "filter_enabled": 0.0})], None, "disabled: filter_enabled is 0%",
     f"{LOCAL}.config.filter_enabled"),
    ([local({"token_bucket": BUCKET, "filter_enabled": 100.0})], None,
     "shadow mode: filter_enforced not set (defaults to 0%) (filter_enabled 100%)", f"{LOCAL}.config"),
    ([local({"token_bucket": BUCKET, "filter_enabled": 0.5, "filter_enforced": 0.0})], None,
     "shadow mode: filter_enforced is 0% (filter_enabled 0.5%)", f"{LOCAL}.config.filter_enforced"),
    # disabled for the route
    ([local(disabled=True)], None, "disabled: local_ratelimit filter disabled for the route", f"{LOCAL}.disabled"),
    ([local()], route(None, per_filter("rl", wrapper=True, disabled=True, level="virtual_host")),
     "disabled: local_ratelimit filter disabled for the route", f"{ROUTE}.per_filter_config[0]"),
    # per-route configs: the most specific level wins
    ([local({"token_bucket": BUCKET})], route(None, per_filter("rl", ON, level="virtual_host")),
     "enforced: per-route local_ratelimit (enabled 100%, enforced 100%)", f"{ROUTE}.per_filter_config[0].config"),
    ([local()], route(None, per_filter("rl", {"token_bucket": BUCKET, "filter_enabled": 100.0}),
                      per_filter("rl", ON, level="route_config")),
     "shadow mode: per-route filter_enforced not set (defaults to 0%) (filter_enabled 100%)",
     f"{ROUTE}.per_filter_config[0].config"),
    ([local(disabled=True)], route(None, per_filter("rl", ON, wrapper=True, disabled=False)),
     "enforced: per-route local_ratelimit (enabled 100%, enforced 100%)", f"{ROUTE}.per_filter_config[0].config"),
    ([local()], route(None, per_filter("rl", {})),
     "not limiting: per-route local_ratelimit config has no token_bucket", f"{ROUTE}.per_filter_config[0].config"),
    # a per-route value that is not a config leaves the filter's own (and hides lower levels)
    ([local({"token_bucket": BUCKET})], route(None, per_filter("rl", None), per_filter("rl", ON, level="virtual_host")),
     "disabled: filter_enabled not set (defaults to 0%)", f"{LOCAL}.config"),
    # the global rate limit service
    ([global_limit()], route(rate_limits=1), "enforced: global rate limit service (domain 'edge')",
     f"{HTTP}.http_filters[0]"),
    ([global_limit()], route(virtual_host_rate_limits=2), "enforced: global rate limit service (domain 'edge')",
     f"{HTTP}.http_filters[0]"),
    ([global_limit()], None, "absent: ratelimit filter, but no rate_limits on the route", ROUTE),
    ([global_limit()], route(None, per_filter("envoy.filters.http.ratelimit", wrapper=True, disabled=True),
                             rate_limits=1),
     "disabled: ratelimit filter disabled for the route", f"{ROUTE}.per_filter_config[0]"),
    # one enforcing filter decides, else the first reason
    ([local({"token_bucket": BUCKET, "filter_enabled": 100.0}), global_limit()], route(rate_limits=1),
     "enforced: global rate limit service (domain 'edge')", f"{HTTP}.http_filters[1]"),
    ([local({"token_bucket": BUCKET, "filter_enabled": 100.0}), global_limit()], None,
     "shadow mode: filter_enforced not set (defaults to 0%) (filter_enabled 100%)", f"{LOCAL}.config"),
])
def test_decisions(filters: list[dict[str, Any]], one_route: dict[str, Any] | None, value: str, at: str) -> None:
    assert rate(filters, one_route) == (value, at)


@pytest.mark.parametrize(("filters", "one_route", "reason", "at"), [
    ([local(Unknown("the config of HTTP filter 'rl' comes from ECDS"))], None,
     "the config of HTTP filter 'rl' comes from ECDS", LOCAL),
    ([http_filter("ratelimit", config=Unknown("from ECDS"))], route(rate_limits=1), "from ECDS",
     f"{HTTP}.http_filters[0]"),
    ([local({"token_bucket": BUCKET, "filter_enabled": Unknown("filter_enabled cannot be read")})], None,
     "the local_ratelimit config has a fraction that cannot be read", f"{LOCAL}.config"),
    ([local()], route(None, per_filter("rl", {"token_bucket": BUCKET, "filter_enforced": Unknown("unreadable")})),
     "the per-route local_ratelimit config has a fraction that cannot be read", f"{ROUTE}.per_filter_config[0].config"),
    # an unknown one keeps it open over a failing one
    ([local({"token_bucket": BUCKET}), http_filter("ratelimit", config=Unknown("from ECDS"))], None, "from ECDS",
     f"{HTTP}.http_filters[1]"),
])
def test_unknown_decisions(filters: list[dict[str, Any]], one_route: dict[str, Any] | None, reason: str,
                           at: str) -> None:
    value, where = rate(filters, one_route)
    assert isinstance(value, Unknown) and value.reason == reason
    assert where == at


CHECK = {"kind": "route_rate_limit", "connection_managers": "chains[*].http"}


def test_pass_when_every_route_is_limited() -> None:
    res = listener([local(), router()], [route(), route()])
    outcome = route_rate_limit.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert (outcome.verdict, outcome.message, outcome.path) == (
        "pass", "every entry of chains[*].http.routes holds (2)", "chains[*].http.routes")


def test_fail_in_shadow_mode() -> None:
    res = listener([local({"token_bucket": BUCKET, "filter_enabled": 100.0, "filter_enforced": 0.0}), router()],
                   [route()])
    outcome = route_rate_limit.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "fail"
    assert outcome.message == ("chains[0].http.routes[0].rate_limit is 'shadow mode: filter_enforced is 0% "
                               "(filter_enabled 100%)', expected rate limit to be enforced")
    assert outcome.path == "chains[0].http.http_filters[0].config.filter_enforced"


def test_unknown_when_a_fraction_cannot_be_read() -> None:
    res = listener([local({"token_bucket": BUCKET, "filter_enabled": Unknown("x")}), router()], [route()])
    outcome = route_rate_limit.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "unknown"
    assert outcome.message == ("chains[0].http.routes[0].rate_limit cannot be known statically: the local_ratelimit "
                               "config has a fraction that cannot be read")
