"""Builders of the facts the Envoy parser describes (``chains[*].http``), for the route kinds'
unit tests: the kinds are tested on these plain dicts, without parsing any Envoy file."""

from __future__ import annotations

from typing import Any

from soc2iac.checks.envoy_routes import Decision, Route, manager
from soc2iac.model import Location, Resource

HTTP = "chains[0].http"
FILTER_CONFIG = "envoy.config.route.v3.FilterConfig"


def match(kind: str = "prefix", value: str = "/", *conditions: str, case_insensitive: bool = False) -> dict[str, Any]:
    text = f"{kind} {value!r}" + (f" with {', '.join(conditions)}" if conditions else "")
    return {"text": text, "path": [kind, value], "conditions": list(conditions), "case_insensitive": case_insensitive}


def http_filter(kind: str, name: str = "", config: Any = None, *, disabled: bool = False,
                after_router: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name or f"envoy.filters.http.{kind}", "kind": kind, "disabled": disabled,
                             "after_router": after_router}
    if config is not None:
        entry["config"] = config
    return entry


def router(*, after_router: bool = False) -> dict[str, Any]:
    return http_filter("router", after_router=after_router)


def rule(requires: Any = None, on: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"match": on or match()}
    if requires is not None:
        out["requires"] = requires
    out.update(extra)
    return out


def per_filter(name: str, config: Any = None, *, level: str = "route", wrapper: bool = False,
               disabled: bool = False) -> dict[str, Any]:
    """A per_filter_config entry: a plain per-route config, or a FilterConfig wrapper."""
    item: dict[str, Any] = {"filter": name, "level": level}
    if wrapper:
        item.update(type=FILTER_CONFIG, disabled=disabled)
        if config is not None:
            item["config"] = config
    else:
        item["config"] = config
    return item


def route(on: dict[str, Any] | None = None, *configs: dict[str, Any], rate_limits: int = 0,
          virtual_host_rate_limits: int = 0) -> dict[str, Any]:
    on = on or match()
    return {"virtual_host": "app", "match": on["text"], "route_match": on, "per_filter_config": list(configs),
            "rate_limits": rate_limits, "virtual_host_rate_limits": virtual_host_rate_limits}


def listener(filters: list[dict[str, Any]], routes: Any) -> Resource:
    attrs = {"chains": [{"at": "filter_chains[0]", "http": {"http_filters": filters, "routes": routes}}]}
    return Resource(source="envoy", type="envoy_listener", name="l", address="envoy_listener.l", attributes=attrs,
                    location=Location("envoy.yaml", 1, 40), lines={"chains": 1})


def decide(kind: Any, filters: list[dict[str, Any]], one_route: dict[str, Any]) -> Decision:
    """What ``kind`` (a route kind module) decides for one route behind ``filters``."""
    return kind.decide(manager({"http_filters": filters}, HTTP), Route(one_route, f"{HTTP}.routes[0]"))
