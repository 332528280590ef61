"""Envoy HTTP connection managers described: access logs, HTTP filters, routes, CORS policies.

Facts only, each with the line of the config it comes from: which HTTP filters run and in
which order, what the auth and rate-limit filters' configs and per-route configs say,
which routes forward upstream and how they match. Whether a route is authenticated or
rate limited is for the check kinds to decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from soc2iac.model import Unknown, join_path
from soc2iac.parsers.envoy_normalize import LineRecorder, as_list, as_map, short_type, typed_config

def percent(frac: Any) -> float | None:
    """A RuntimeFractionalPercent's default as a percentage (unset numerator = 0)."""
    if frac is None:
        return 0.0
    if not isinstance(frac, Mapping):
        return None
    default = frac.get("default_value")
    if not isinstance(default, Mapping):
        return 0.0
    try:
        numerator = float(default.get("numerator") or 0)
    except (TypeError, ValueError):
        return None
    scale = {"HUNDRED": 100.0, "TEN_THOUSAND": 10000.0, "MILLION": 1000000.0}.get(
        str(default.get("denominator") or "HUNDRED"))
    if scale is None:
        return None
    return numerator * 100.0 / scale


# -- HTTP filters ------------------------------------------------------------------

_HTTP_KIND_BY_TYPE = re.compile(r"\.filters?\.http\.(jwt_authn|ext_authz|local_ratelimit|ratelimit|cors|router)\.")
_HTTP_KIND_BY_NAME = re.compile(r"(?:^|\.)(jwt_authn|ext_authz|local_ratelimit|ratelimit|rate_limit|cors|router)$")


@dataclass
class Filter:
    name: str
    kind: str
    config: Any  # a mapping, or Unknown for ECDS
    path: str  # of the http_filters entry
    disabled: bool
    cfg_path: str  # of its typed_config


def http_filter(entry: Mapping[str, Any], path: str) -> Filter:
    name = str(entry.get("name") or "")
    cfg, key = typed_config(entry)
    type_name = short_type(as_map(cfg).get("@type"))
    discovery = entry.get("config_discovery")
    if isinstance(discovery, Mapping):
        urls = " ".join(str(u) for u in as_list(discovery.get("type_urls")))
        type_name = type_name or urls
        cfg = Unknown(f"the config of HTTP filter {name!r} comes from ECDS")
    m = _HTTP_KIND_BY_TYPE.search(type_name + ".") if type_name else None
    kind = m.group(1) if m else ""
    if not kind:
        n = _HTTP_KIND_BY_NAME.search(name)
        kind = n.group(1) if n else "other"
    kind = "ratelimit" if kind == "rate_limit" else kind
    if cfg is None:
        cfg = {}
    return Filter(name, kind, cfg, path, bool(entry.get("disabled")), f"{path}.{key}" if key else path)


def is_hcm(entry: Mapping[str, Any]) -> bool:
    cfg, _ = typed_config(entry)
    type_name = short_type(as_map(cfg).get("@type"))
    if type_name:
        return type_name.endswith(".HttpConnectionManager")
    return bool(re.search(r"(?:^|\.)http_connection_manager$", str(entry.get("name") or "")))


# -- route matching (jwt_authn rules against routes) -------------------------------

_ANY_PATH_REGEX = {".*", "^.*$", "^.*", ".*$", "(.*)", "^(.*)$", "/.*", "^/.*$", "^/.*", "/.*$", ".+", "^.+$", "/.+"}
_CONDITIONS = ("headers", "query_parameters", "runtime_fraction", "grpc", "tls_context", "dynamic_metadata",
               "filter_state", "cel_expression")


def path_spec(match: Mapping[str, Any]) -> tuple[str, str] | None:
    for kind in ("prefix", "path", "path_separated_prefix", "safe_regex", "regex"):
        if kind in match:
            value = match[kind]
            if isinstance(value, Mapping):
                value = value.get("regex")
            if not isinstance(value, str):
                return None
            if kind in ("safe_regex", "regex"):
                if value in _ANY_PATH_REGEX:
                    return "prefix", ""
                return "regex", value
            return kind, value
    return None


def describe_match(match: Any) -> str:
    spec = path_spec(as_map(match))
    if spec is None:
        keys = ", ".join(k for k in as_map(match)) or "nothing"
        return f"match on {keys}"
    kind, value = spec
    extra = [k for k in _CONDITIONS if k in as_map(match)]
    return f"{kind} {value!r}" + (f" with {', '.join(extra)}" if extra else "")


def match_facts(match: Any) -> dict[str, Any]:
    """A RouteMatch described for comparisons: ``text`` (as in ``describe_match``), ``path``
    (``[kind, value]``: prefix, path, path_separated_prefix or regex; a regex matching any
    path is ``["prefix", ""]``; absent when the path part is not a plain string), the other
    ``conditions`` it has (headers, query_parameters, ...) and ``case_insensitive``."""
    m = as_map(match)
    out: dict[str, Any] = {"text": describe_match(match)}
    spec = path_spec(m)
    if spec is not None:
        out["path"] = list(spec)
    out["conditions"] = [k for k in _CONDITIONS if k in m]
    out["case_insensitive"] = m.get("case_sensitive") is False
    return out


# -- views ---------------------------------------------------------------------------

class HttpViews(LineRecorder):
    """The view of an HTTP connection manager, with its lines."""

    # -- HTTP connection manager ---------------------------------------------------
    def http(self, cfg: Mapping[str, Any], cfg_path: str, dst: str) -> dict[str, Any]:
        self.line(dst, cfg_path)
        view: dict[str, Any] = {"at": cfg_path}
        self.line(f"{dst}.at", cfg_path)
        if cfg.get("stat_prefix"):
            view["stat_prefix"] = cfg["stat_prefix"]
        if "access_log" in cfg:
            logs = []
            self.line(f"{dst}.access_log", f"{cfg_path}.access_log")
            for i, entry in enumerate(as_list(cfg.get("access_log"))):
                lcfg, key = typed_config(entry)
                epath, edst = f"{cfg_path}.access_log[{i}]", f"{dst}.access_log[{i}]"
                self.line(edst, epath)
                log: dict[str, Any] = {"name": entry.get("name")}
                if isinstance(lcfg, Mapping):
                    log["type"] = short_type(lcfg.get("@type"))
                    if "path" in lcfg:
                        log["path"] = lcfg["path"]
                        self.line(f"{edst}.path", f"{epath}.{key}.path")
                logs.append(log)
            view["access_log"] = logs

        # HTTP filters in chain order; those after the router never run
        filters_path = f"{cfg_path}.http_filters" if "http_filters" in cfg else cfg_path
        chain = [http_filter(entry, f"{cfg_path}.http_filters[{i}]") for i, entry in enumerate(as_list(cfg.get("http_filters")))]
        view["http_filters"] = self.http_filters(chain, filters_path, f"{dst}.http_filters")
        router = next((i for i, f in enumerate(chain) if f.kind == "router"), len(chain))

        rc: Any
        rc_path = f"{cfg_path}.route_config"
        if isinstance(cfg.get("route_config"), Mapping):
            rc = cfg["route_config"]
        elif "rds" in cfg:
            rc = Unknown("routes come from RDS (not in this file)")
            rc_path = f"{cfg_path}.rds"
        elif "scoped_routes" in cfg:
            rc = Unknown("routes come from scoped RDS (not in this file)")
            rc_path = f"{cfg_path}.scoped_routes"
        else:
            rc = {}
        ctx = _HcmContext(self, chain[:router], rc, rc_path)
        if isinstance(rc, Unknown):
            view["routes"] = view["virtual_hosts"] = rc
            self.line(f"{dst}.routes", rc_path)
            self.line(f"{dst}.virtual_hosts", rc_path)
        else:
            view["routes"] = ctx.routes(f"{dst}.routes")
            view["virtual_hosts"] = ctx.virtual_hosts(f"{dst}.virtual_hosts")
        cors = ctx.cors(f"{dst}.cors_policies")
        if cors is not None:
            view["cors_policies"] = cors
        return view


    def http_filters(self, chain: list[Filter], filters_path: str, dst: str) -> list[dict[str, Any]]:
        """Every HTTP filter in chain order: name, kind, where it is, whether it is disabled by
        default, whether it comes after the (first) router, and the facts of its config."""
        self.line(dst, filters_path)
        out: list[dict[str, Any]] = []
        routed = False
        for i, f in enumerate(chain):
            edst = f"{dst}[{i}]"
            self.line(edst, f.path)
            view: dict[str, Any] = {"name": f.name, "kind": f.kind, "at": f.path, "disabled": f.disabled,
                                    "after_router": routed}
            self.line(f"{edst}.at", f.path)
            self.line(f"{edst}.disabled", f"{f.path}.disabled")
            kind = short_type(as_map(f.config).get("@type"))
            if kind:
                view["type"] = kind
            routed = routed or f.kind == "router"
            if f.kind in FACT_KINDS:
                own = f.config if isinstance(f.config, (Mapping, Unknown)) else {}
                view["config"] = self.config_facts(own, f.cfg_path, f"{edst}.config")
            out.append(view)
        return out

    def config_facts(self, cfg: Any, src: str, dst: str) -> Any:
        """The parts of an auth / rate-limit filter config (or of its per-route config) that say
        to which requests it applies and how: the keys of ``_FACT_KEYS`` as written, jwt_authn
        ``rules`` with their matches described (``match_facts``), the fractions as percentages
        (``Unknown`` when they cannot be read) and the provider names. ``None`` for a value
        that is not a mapping; an ``Unknown`` config (ECDS) stays unknown."""
        self.line(dst, src)
        if isinstance(cfg, Unknown):
            return cfg
        if not isinstance(cfg, Mapping):
            return None
        out: dict[str, Any] = {}
        for key in _FACT_KEYS:
            if key in cfg:
                out[key] = self.copy(cfg[key], f"{src}.{key}", f"{dst}.{key}")
        if "rules" in cfg:
            out["rules"] = self.rule_facts(cfg["rules"], f"{src}.rules", f"{dst}.rules")
        for key in ("filter_enabled", "filter_enforced"):
            if key in cfg:
                pct = percent(cfg[key])
                out[key] = Unknown(f"{key} cannot be read") if pct is None else pct
                self.line(f"{dst}.{key}", f"{src}.{key}")
        if isinstance(cfg.get("providers"), Mapping):
            out["providers"] = [str(k) for k in cfg["providers"]]
            self.line(f"{dst}.providers", f"{src}.providers")
        return out

    def rule_facts(self, rules: Any, src: str, dst: str) -> list[Any]:
        """jwt_authn rules in order (``None`` where an entry is not a mapping): the match
        described, ``requires`` and ``requirement_name`` as written."""
        self.line(dst, src)
        out: list[Any] = []
        for j, rule in enumerate(as_list(rules)):
            rsrc, rdst = f"{src}[{j}]", f"{dst}[{j}]"
            if not isinstance(rule, Mapping):
                out.append(None)
                continue
            self.line(rdst, rsrc)
            view: dict[str, Any] = {"match": match_facts(rule.get("match"))}
            self.line(f"{rdst}.match", f"{rsrc}.match")
            for key in ("requires", "requirement_name"):
                if key in rule:
                    view[key] = self.copy(rule[key], f"{rsrc}.{key}", f"{rdst}.{key}")
            out.append(view)
        return out


# a route's action: the first of these keys it has
_ACTIONS = ("redirect", "route", "direct_response", "filter_action", "non_forwarding_action")
# kinds of HTTP filters whose configs and per-route configs the views describe
FACT_KINDS = frozenset({"jwt_authn", "ext_authz", "local_ratelimit", "ratelimit"})
# keys of those configs copied as written (fractions and providers are described apart)
_FACT_KEYS = ("disabled", "requirement_name", "requirement_map", "filter_state_rules", "token_bucket",
              "failure_mode_allow", "domain")


class _HcmContext:
    """Per-route semantics of one HTTP connection manager."""

    def __init__(self, vb: HttpViews, filters: list[Filter], rc: Any, rc_path: str) -> None:
        self.vb = vb
        self.filters = filters  # those before the router
        self.rc = rc
        self.rc_path = rc_path

    def _each_route(self) -> Iterator[tuple[Mapping[str, Any], str, Mapping[str, Any], str]]:
        for v, vh in enumerate(as_list(as_map(self.rc).get("virtual_hosts"))):
            vpath = f"{self.rc_path}.virtual_hosts[{v}]"
            for r, route in enumerate(as_list(vh.get("routes"))):
                yield route, f"{vpath}.routes[{r}]", vh, vpath

    def routes(self, dst: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        self.vb.line(dst, self.rc_path)
        for route, rpath, vh, vpath in self._each_route():
            if not isinstance(route.get("route"), Mapping):
                continue  # redirect, direct_response, non-forwarding: nothing reaches an upstream
            k = len(out)
            edst = f"{dst}[{k}]"
            self.vb.line(edst, rpath)
            entry: dict[str, Any] = {"virtual_host": vh.get("name"), "match": describe_match(route.get("match")),
                                     "at": rpath}
            self.vb.line(f"{edst}.match", f"{rpath}.match")
            self.vb.line(f"{edst}.at", rpath)
            self.route_facts(entry, edst, route, rpath, vh, vpath)
            out.append(entry)
        return out

    def virtual_hosts(self, dst: str) -> list[dict[str, Any]]:
        """Every virtual host with its ``require_tls`` (as written) and what each of its routes
        does: ``action`` (route, redirect, direct_response, ...) and, for a redirect, the
        ``redirect_scheme`` it sends clients to (``https`` for ``https_redirect: true``)."""
        self.vb.line(dst, self.rc_path)
        out: list[dict[str, Any]] = []
        for v, vh in enumerate(as_list(as_map(self.rc).get("virtual_hosts"))):
            vpath, vdst = f"{self.rc_path}.virtual_hosts[{v}]", f"{dst}[{v}]"
            self.vb.line(vdst, vpath)
            view: dict[str, Any] = {"name": vh.get("name"), "routes": []}
            if vh.get("require_tls") is not None:
                view["require_tls"] = vh["require_tls"]
                self.vb.line(f"{vdst}.require_tls", f"{vpath}.require_tls")
            for r, route in enumerate(as_list(vh.get("routes"))):
                rpath, rdst = f"{vpath}.routes[{r}]", f"{vdst}.routes[{r}]"
                self.vb.line(rdst, rpath)
                action = next((k for k in _ACTIONS if k in route), "none")
                entry: dict[str, Any] = {"action": action}
                if action == "redirect":
                    redirect = as_map(route.get("redirect"))
                    scheme = "https" if redirect.get("https_redirect") is True else redirect.get("scheme_redirect", "")
                    entry["redirect_scheme"] = str(scheme)
                    self.vb.line(f"{rdst}.redirect_scheme", f"{rpath}.redirect")
                view["routes"].append(entry)
            out.append(view)
        return out

    def route_facts(self, entry: dict[str, Any], edst: str, route: Mapping[str, Any], rpath: str,
                    vh: Mapping[str, Any], vpath: str) -> None:
        """What decides how the HTTP filters treat one route: its match as configured, the
        per-filter configs of the auth and rate-limit filters that reach it (route first, then
        its virtual host, then the route configuration) and its rate_limits descriptors."""
        entry["route_match"] = match_facts(route.get("match"))
        self.vb.line(f"{edst}.route_match", f"{rpath}.match")
        names = {f.name for f in self.filters if f.kind in FACT_KINDS}
        configs: list[dict[str, Any]] = []
        for level, obj, path in (("route", route, rpath), ("virtual_host", vh, vpath),
                                 ("route_config", as_map(self.rc), self.rc_path)):
            for name, value in as_map(obj.get("typed_per_filter_config")).items():
                if name not in names or value is None:
                    continue
                at = join_path(f"{path}.typed_per_filter_config", name)
                cdst = f"{edst}.per_filter_config[{len(configs)}]"
                self.vb.line(cdst, at)
                item: dict[str, Any] = {"filter": name, "level": level, "at": at}
                kind = short_type(as_map(value).get("@type"))
                if kind:
                    item["type"] = kind
                if kind.endswith(".FilterConfig"):  # a wrapper: disabled, and maybe the filter's config
                    item["disabled"] = bool(value.get("disabled"))
                    inner = value.get("config")
                    if isinstance(inner, Mapping) and inner:
                        item["config"] = self.vb.config_facts(inner, f"{at}.config", f"{cdst}.config")
                else:  # the filter's per-route config (None: set, but not a mapping)
                    item["config"] = self.vb.config_facts(value, at, f"{cdst}.config")
                configs.append(item)
        entry["per_filter_config"] = configs
        self.vb.line(f"{edst}.per_filter_config", rpath)
        entry["rate_limits"] = len(as_list(as_map(route.get("route")).get("rate_limits")))
        entry["virtual_host_rate_limits"] = len(as_list(vh.get("rate_limits")))
        self.vb.line(f"{edst}.rate_limits", f"{rpath}.route.rate_limits")
        self.vb.line(f"{edst}.virtual_host_rate_limits", f"{vpath}.rate_limits")

    # -- CORS ---------------------------------------------------------------------
    def cors(self, dst: str) -> Any:
        cors_filters = [f for f in self.filters if f.kind == "cors"]
        if not cors_filters:
            return None
        if isinstance(self.rc, Unknown):
            self.vb.line(dst, self.rc_path)
            return Unknown(f"the cors filter is on, but {self.rc.reason}")
        names = {f.name for f in cors_filters}
        found: list[tuple[Mapping[str, Any], str]] = []
        rc = as_map(self.rc)

        def per_filter(obj: Mapping[str, Any], path: str) -> None:
            for name, value in as_map(obj.get("typed_per_filter_config")).items():
                if name in names and isinstance(value, Mapping):
                    vpath = join_path(f"{path}.typed_per_filter_config", name)
                    if short_type(value.get("@type")).endswith(".FilterConfig"):
                        value, vpath = as_map(value.get("config")), f"{vpath}.config"
                    found.append((value, vpath))

        per_filter(rc, self.rc_path)
        for v, vh in enumerate(as_list(rc.get("virtual_hosts"))):
            vpath = f"{self.rc_path}.virtual_hosts[{v}]"
            if isinstance(vh.get("cors"), Mapping):
                found.append((vh["cors"], f"{vpath}.cors"))
            per_filter(vh, vpath)
            for r, route in enumerate(as_list(vh.get("routes"))):
                rpath = f"{vpath}.routes[{r}]"
                action = as_map(route.get("route"))
                if isinstance(action.get("cors"), Mapping):
                    found.append((action["cors"], f"{rpath}.route.cors"))
                per_filter(route, rpath)
        out: list[dict[str, Any]] = []
        for policy, path in found:
            enabled = percent(policy.get("filter_enabled")) if "filter_enabled" in policy else 100.0
            if enabled == 0 or policy.get("enabled") is False:
                continue  # this policy is switched off
            k = len(out)
            edst = f"{dst}[{k}]"
            self.vb.line(edst, path)
            entry: dict[str, Any] = {"at": path, "allow_credentials": policy.get("allow_credentials") is True}
            self.vb.line(f"{edst}.at", path)
            self.vb.line(f"{edst}.allow_credentials", f"{path}.allow_credentials")
            matchers: list[Any] = []
            for i, m in enumerate(as_list(policy.get("allow_origin_string_match"))):
                matchers.append(self.vb.copy(m, f"{path}.allow_origin_string_match[{i}]",
                                             f"{edst}.allow_origin_string_match[{len(matchers)}]"))
            for i, origin in enumerate(as_list(policy.get("allow_origin"))):  # deprecated
                mdst = f"{edst}.allow_origin_string_match[{len(matchers)}]"
                self.vb.line(mdst, f"{path}.allow_origin[{i}]")
                self.vb.line(f"{mdst}.exact", f"{path}.allow_origin[{i}]")
                matchers.append({"exact": origin})
            for i, regex in enumerate(as_list(policy.get("allow_origin_regex"))):  # deprecated
                mdst = f"{edst}.allow_origin_string_match[{len(matchers)}]"
                self.vb.line(mdst, f"{path}.allow_origin_regex[{i}]")
                self.vb.line(f"{mdst}.safe_regex.regex", f"{path}.allow_origin_regex[{i}]")
                matchers.append({"safe_regex": {"regex": regex}})
            entry["allow_origin_string_match"] = matchers
            self.vb.line(f"{edst}.allow_origin_string_match", f"{path}.allow_origin_string_match")
            out.append(entry)
        self.vb.line(dst, self.rc_path)
        return out
