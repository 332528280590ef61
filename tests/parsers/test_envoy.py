"""Envoy parser: detection, key normalization, typed_config unwrapping, lines, views, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soc2iac.checks import route_authentication, route_rate_limit
from soc2iac.checks.envoy_routes import Decision, Route, manager
from soc2iac.config import Config
from soc2iac.errors import InputError
from soc2iac.model import Resource, Unknown
from soc2iac.parsers import envoy
from soc2iac.parsers.envoy_http import match_facts
from soc2iac.policy import builtin_policy_dir, load_file
from soc2iac.scanner import scan
from soc2iac.waivers import declared

HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"
JWT = "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"
LRL = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"


def parse(text: str, shown: str = "envoy.yaml") -> list[Resource]:
    assert envoy.detect(Path(shown), text), "not detected as Envoy"
    return envoy.parse_text(text, shown, Path(shown))


def by_address(resources: list[Resource]) -> dict[str, Resource]:
    return {r.address: r for r in resources}


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def routes(res: Resource, chain: int = 0) -> list[dict]:
    return res.attributes["chains"][chain]["http"]["routes"]


def decided(res: Resource, chain: int = 0) -> list[dict[str, Decision]]:
    """What the route kinds decide for each route of a chain (``authentication``, ``rate_limit``)."""
    http = res.attributes["chains"][chain]["http"]
    at = f"chains[{chain}].http"
    m = manager(http, at)
    return [{"authentication": route_authentication.decide(m, Route(r, f"{at}.routes[{i}]")),
             "rate_limit": route_rate_limit.decide(m, Route(r, f"{at}.routes[{i}]"))}
            for i, r in enumerate(http["routes"])]


def said(res: Resource, chain: int = 0) -> list[dict[str, object]]:
    """The decisions' texts (or Unknowns), per route."""
    return [{k: d.value for k, d in route.items()} for route in decided(res, chain)]


# --- snake_case and camelCase ------------------------------------------------------

SNAKE = f"""\
static_resources:
  listeners:
  - name: https
    address:
      socket_address:
        address: 0.0.0.0
        port_value: 443
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": {TLS}
          common_tls_context:
            tls_params:
              tls_minimum_protocol_version: TLSv1_2
              cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256]
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          stat_prefix: ingress
          route_config:
            virtual_hosts:
            - name: app
              domains: ["*"]
              typed_per_filter_config:
                rateLimiter:
                  "@type": {LRL}
                  stat_prefix: vh
                  token_bucket:
                    max_tokens: 10
                    tokens_per_fill: 10
                    fill_interval: 1s
                  filter_enabled:
                    default_value:
                      numerator: 100
                  filter_enforced:
                    default_value:
                      numerator: 100
              routes:
              - match:
                  prefix: /
                route:
                  cluster: app
          http_filters:
          - name: rateLimiter
            typed_config:
              "@type": {LRL}
              stat_prefix: hcm
          - name: envoy.filters.http.router
            typed_config:
              "@type": {ROUTER}
"""

_CAMEL_KEYS = ["static_resources", "socket_address", "port_value", "filter_chains", "transport_socket", "typed_config",
               "common_tls_context", "tls_params", "tls_minimum_protocol_version", "cipher_suites", "stat_prefix",
               "route_config", "virtual_hosts", "typed_per_filter_config", "token_bucket", "max_tokens",
               "tokens_per_fill", "fill_interval", "filter_enabled", "filter_enforced", "default_value", "http_filters"]


def _camel(text: str) -> str:
    for key in _CAMEL_KEYS:
        head, *rest = key.split("_")
        text = text.replace(f"{key}:", head + "".join(w.title() for w in rest) + ":")
    return text


CAMEL = _camel(SNAKE)


def test_snake_and_camel_case_give_equal_resources_and_lines() -> None:
    assert "typedConfig" in CAMEL and "typed_config" not in CAMEL
    (snake,) = parse(SNAKE)
    (camel,) = parse(CAMEL)
    assert snake.attributes == camel.attributes
    assert dict(snake.lines) == dict(camel.lines)
    assert snake.address == camel.address == "envoy_listener.https"
    # map keys (filter names) are kept verbatim, not snake-cased
    vh = snake.attributes["filter_chains"][0]["filters"][0]["typed_config"]["route_config"]["virtual_hosts"][0]
    assert "rateLimiter" in vh["typed_per_filter_config"]
    assert said(snake)[0]["rate_limit"].startswith("enforced")


def test_camel_case_json_bootstrap_equals_yaml() -> None:
    import yaml

    doc = yaml.safe_load(CAMEL)
    text = json.dumps(doc, indent=2)
    (from_json,) = parse(text, "envoy.json")
    (from_yaml,) = parse(SNAKE)
    assert from_json.attributes == from_yaml.attributes
    assert from_json.line_of("tls_contexts[0].tls_minimum_protocol_version") == line_of(
        text, '"tlsMinimumProtocolVersion"')
    assert from_json.location.start_line == line_of(text, '"name": "https"') - 1  # the listener's "{"


def test_lines_follow_normalized_paths() -> None:
    (res,) = parse(CAMEL)
    assert res.line_of("filter_chains[0].transport_socket.typed_config.common_tls_context.tls_params"
                       ".tls_minimum_protocol_version") == line_of(CAMEL, "tlsMinimumProtocolVersion")
    assert res.line_of("tls_contexts[0].tls_minimum_protocol_version") == line_of(CAMEL, "tlsMinimumProtocolVersion")
    assert res.line_of("tls_contexts[0].cipher_suites[0]") == line_of(CAMEL, "cipherSuites")
    assert res.line_of("bind_address") == line_of(CAMEL, "address: 0.0.0.0")
    assert res.attributes["port"] == 443
    assert res.line_of("chains[0].http.routes[0]") == line_of(CAMEL, "- match:")
    # the enforced limit comes from the virtual host's per-filter config
    assert res.line_of(decided(res)[0]["rate_limit"].at) == line_of(CAMEL, "rateLimiter:")
    assert res.location.start_line == 3


def test_numeric_enums_are_named() -> None:
    text = SNAKE.replace("tls_minimum_protocol_version: TLSv1_2", "tls_minimum_protocol_version: 1")
    (res,) = parse(text)
    assert res.attributes["tls_contexts"][0]["tls_minimum_protocol_version"] == "TLSv1_0"


# --- typed_config unwrapping -------------------------------------------------------

TYPED_STRUCT = f"""\
static_resources:
  listeners:
  - name: jwt
    address: {{socket_address: {{address: 0.0.0.0, port_value: 8080}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          stat_prefix: jwt
          route_config:
            virtual_hosts:
            - name: app
              domains: ["*"]
              routes:
              - match: {{prefix: /api}}
                route: {{cluster: app}}
          http_filters:
          - name: envoy.filters.http.jwt_authn
            typed_config:
              "@type": type.googleapis.com/udpa.type.v1.TypedStruct
              type_url: {JWT}
              value:
                providers:
                  corpIdp:
                    issuer: https://idp.example.com
                    localJwks: {{filename: /etc/jwks.json}}
                rules:
                - match: {{prefix: /}}
                  requires: {{providerName: corpIdp}}
          - name: envoy.filters.http.router
"""


def test_typed_struct_is_unwrapped_with_lines() -> None:
    (res,) = parse(TYPED_STRUCT)
    jwt = res.attributes["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"][0]["typed_config"]
    assert jwt["@type"] == JWT
    assert "value" not in jwt and "type_url" not in jwt
    assert jwt["rules"][0]["requires"] == {"provider_name": "corpIdp"}
    assert "corpIdp" in jwt["providers"] and "local_jwks" in jwt["providers"]["corpIdp"]
    hcm = "filter_chains[0].filters[0].typed_config"
    assert res.line_of(f"{hcm}.http_filters[0].typed_config.rules[0]") == line_of(TYPED_STRUCT, "- match: {prefix: /}")
    assert res.line_of(f"{hcm}.http_filters[0].typed_config.@type") == line_of(TYPED_STRUCT, "type_url:")
    (route,) = decided(res)
    assert route["authentication"].value == "required: jwt_authn rules[0] requires 'corpIdp'"
    assert res.line_of(route["authentication"].at) == line_of(TYPED_STRUCT, "- match: {prefix: /}")


def test_a_single_mapping_where_a_list_is_expected() -> None:
    # Envoy's own examples write `filters:` and `clusters:` as one object
    text = f"""\
resources:
- "@type": type.googleapis.com/envoy.config.listener.v3.Listener
  name: listener_0
  address:
    socket_address: {{address: 0.0.0.0, port_value: 10000}}
  filter_chains:
  - filters:
      name: envoy.filters.network.http_connection_manager
      typed_config:
        "@type": {HCM}
        stat_prefix: ingress_http
        http_filters:
        - name: envoy.filters.http.router
        route_config:
          virtual_hosts:
          - name: local_service
            domains: ["*"]
            routes:
            - match: {{prefix: "/"}}
              route: {{cluster: example_proxy_cluster}}
"""
    (res,) = parse(text, "lds.yaml")
    filters = res.attributes["filter_chains"][0]["filters"]
    assert isinstance(filters, list) and filters[0]["name"] == "envoy.filters.network.http_connection_manager"
    assert res.line_of("filter_chains[0].filters[0].name") == line_of(text, "name: envoy.filters.network")
    assert res.attributes["chains"][0]["transport"] == "plaintext (no transport_socket)"
    assert routes(res)[0]["match"] == "prefix '/'"


# --- realistic configs (shapes of envoyproxy/envoy examples and configs) --------------

FRONT_PROXY = f"""\
static_resources:
  listeners:
  - address:
      socket_address:
        address: 0.0.0.0
        port_value: 8080
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          codec_type: AUTO
          stat_prefix: ingress_http
          route_config:
            name: local_route
            virtual_hosts:
            - name: backend
              domains:
              - "*"
              routes:
              - match:
                  prefix: "/service/1"
                route:
                  cluster: service1
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": {ROUTER}
  - address:
      socket_address:
        address: 0.0.0.0
        port_value: 8443
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          stat_prefix: ingress_https
          route_config:
            virtual_hosts:
            - name: backend
              domains: ["*"]
              routes:
              - match: {{prefix: "/service/1"}}
                route: {{cluster: service1}}
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": {ROUTER}

      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": {TLS}
          common_tls_context:
            tls_certificates:
            - certificate_chain:
                inline_string: |
                  -----BEGIN CERTIFICATE-----
                  MIICqDCCAZACCQexampleFAKE
                  -----END CERTIFICATE-----
              private_key:
                inline_string: |
                  -----BEGIN PRIVATE KEY-----
                  MIIEvQIBADANexampleFAKEKEY
                  -----END PRIVATE KEY-----
  clusters:
  - name: service1
    type: STRICT_DNS
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: service1
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address:
                address: service1
                port_value: 8000
admin:
  address:
    socket_address:
      address: 0.0.0.0
      port_value: 8001
layered_runtime:
  layers:
  - name: static_layer_0
    static_layer:
      envoy:
        resource_limits:
          listener:
            example_listener_name:
              connection_limit: 10000
"""


def test_front_proxy_example() -> None:
    res = by_address(parse(FRONT_PROXY, "front-envoy.yaml"))
    assert sorted(res) == ["envoy_admin.admin", "envoy_cluster.service1", "envoy_listener.0.0.0.0:8080",
                           "envoy_listener.0.0.0.0:8443"]
    plain, tls = res["envoy_listener.0.0.0.0:8080"], res["envoy_listener.0.0.0.0:8443"]
    assert plain.attributes["chains"][0]["transport"] == "plaintext (no transport_socket)"
    assert tls.attributes["chains"][0]["transport"] == "tls (DownstreamTlsContext)"
    assert tls.attributes["tls_contexts"] == [{"at": "filter_chains[0].transport_socket.typed_config",
                                              "direction": "downstream"}]
    (secret,) = tls.attributes["inline_secrets"]
    assert secret["kind"] == "TLS private key"
    assert tls.line_of("inline_secrets[0]") == line_of(FRONT_PROXY, "private_key:") + 1
    assert "BEGIN PRIVATE KEY" not in json.dumps(tls.attributes["chains"])  # views never copy secrets
    assert res["envoy_admin.admin"].line_of("address.socket_address.address") == line_of(FRONT_PROXY, "port_value: 8001") - 1
    assert res["envoy_cluster.service1"].attributes["tls_contexts"] == []


EDGE = """\
overload_manager:
  refresh_interval: 0.25s
  actions:
  - name: "envoy.overload_actions.shrink_heap"
    triggers:
    - name: "envoy.resource_monitors.fixed_heap"
      threshold:
        value: 0.90
static_resources:
  listeners:
  - name: listener_https
    address:
      socket_address:
        protocol: TCP
        address: 0.0.0.0
        port_value: 10000
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: "certs/servercert.pem" }
              private_key: { filename: "certs/serverkey.pem" }
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          use_remote_address: true
          route_config:
            name: local_route
            virtual_hosts:
            - name: local_service
              domains: ["*"]
              routes:
              - match:
                  prefix: "/content"
                route:
                  cluster: service_foo
              - match:
                  prefix: "/"
                direct_response:
                  status: 403
          http_filters:
          - name: envoy.filters.http.router
  clusters:
    name: service_foo
    connect_timeout: 5s
    load_assignment:
      cluster_name: service_foo
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address:
                address: 127.0.0.1
                port_value: 10002
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config:
          http2_protocol_options: {}
"""


def test_edge_hardening_example() -> None:
    res = by_address(parse(EDGE, "envoy-edge.yaml"))
    listener, cluster = res["envoy_listener.listener_https"], res["envoy_cluster.service_foo"]
    # the direct response is not a forwarding route
    assert [r["match"] for r in routes(listener)] == ["prefix '/content'"]
    assert said(listener)[0]["authentication"].startswith("not required")
    assert said(listener)[0]["rate_limit"].startswith("absent")
    assert "envoy.extensions.upstreams.http.v3.HttpProtocolOptions" in cluster.attributes[
        "typed_extension_protocol_options"]
    assert cluster.location.start_line == line_of(EDGE, "name: service_foo")


JWT_EXAMPLE = """\
# An example config to validate JWTs issued by Firebase.
admin:
  address:
    socket_address:
      address: 0.0.0.0
      port_value: 9901
static_resources:
  listeners:
  - name: listener_0
    address:
      socket_address:
        protocol: TCP
        address: 0.0.0.0
        port_value: 10000
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
          stat_prefix: ingress_http
          access_log:
          - name: envoy.access_loggers.stdout
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
          route_config:
            name: local_route
            virtual_hosts:
            - name: default
              domains:
              - "*"
              routes:
              - match:
                  prefix: "/"
                route:
                  cluster: app
          http_filters:
          - name: envoy.extensions.filters.http.jwt_authn
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
              providers:
                firebase:
                  claim_to_headers:
                  - claim_name: user_id
                    header_name: x-firebase-uid
                  issuer: https://securetoken.google.com/example.com:example-project-1234567890
                  audiences:
                  - example.com:example-project-1234567890
                  remoteJwks:
                    httpUri:
                      uri: https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com
                      cluster: www.googleapis.com
                      timeout: 1s
                    async_fetch:
                      fast_listener: false
                  forward: true
              rules:
              - match:
                  prefix: "/"
                requires:
                  provider_name: firebase
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
"""


def test_jwt_example_with_mixed_key_styles() -> None:
    res = by_address(parse(JWT_EXAMPLE, "jwt_authn.yaml"))
    listener = res["envoy_listener.listener_0"]
    provider = listener.attributes["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"][0][
        "typed_config"]["providers"]["firebase"]
    assert provider["remote_jwks"]["http_uri"]["cluster"] == "www.googleapis.com"
    assert said(listener)[0]["authentication"] == "required: jwt_authn rules[0] requires 'firebase'"
    assert listener.attributes["chains"][0]["http"]["access_log"] == [
        {"name": "envoy.access_loggers.stdout", "type": "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"}]


# --- semantics of the views ---------------------------------------------------------

@pytest.mark.parametrize(("match", "facts"), [
    ({"prefix": "/api"}, {"text": "prefix '/api'", "path": ["prefix", "/api"], "conditions": [],
                          "case_insensitive": False}),
    ({"safe_regex": {"regex": "^.*$"}}, {"text": "prefix ''", "path": ["prefix", ""], "conditions": [],
                                         "case_insensitive": False}),
    ({"safe_regex": {"regex": "/v[0-9]+/.*"}, "headers": [{"name": "x"}], "case_sensitive": False},
     {"text": "regex '/v[0-9]+/.*' with headers", "path": ["regex", "/v[0-9]+/.*"], "conditions": ["headers"],
      "case_insensitive": True}),
    ({"connect_matcher": {}}, {"text": "match on connect_matcher", "conditions": [], "case_insensitive": False}),
    (None, {"text": "match on nothing", "conditions": [], "case_insensitive": False}),
])
def test_match_facts(match: object, facts: dict) -> None:
    assert match_facts(match) == facts


def _hcm_listener(http_filters: str, routes_yaml: str, extra: str = "") -> str:
    return f"""\
static_resources:
  listeners:
  - name: l
    address: {{socket_address: {{address: 0.0.0.0, port_value: 80}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          stat_prefix: l
{extra}          route_config:
            virtual_hosts:
            - name: app
              domains: ["*"]
              routes:
{routes_yaml}          http_filters:
{http_filters}          - name: envoy.filters.http.router
"""


JWT_FILTER = f"""\
          - name: jwt
            typed_config:
              "@type": {JWT}
              providers: {{idp: {{issuer: i, local_jwks: {{filename: /j}}}}}}
              requirement_map: {{strict: {{provider_name: idp}}}}
              rules:
              - match: {{prefix: /public}}
              - match: {{prefix: /}}
                requires: {{provider_name: idp}}
"""


def test_per_route_config_replaces_rules() -> None:
    routes_yaml = """\
              - match: {prefix: /public/orders}
                route: {cluster: app}
                typed_per_filter_config:
                  jwt:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig
                    requirement_name: strict
              - match: {prefix: /public/docs}
                route: {cluster: app}
"""
    (res,) = parse(_hcm_listener(JWT_FILTER, routes_yaml))
    orders, docs = said(res)
    assert orders["authentication"] == "required: per-route requirement 'strict' requires 'idp'"
    assert docs["authentication"].startswith("opted out: jwt_authn rules[0] (prefix '/public')")


def test_filter_disabled_by_default_and_enabled_per_route() -> None:
    filters = JWT_FILTER.replace("          - name: jwt\n", "          - name: jwt\n            disabled: true\n")
    routes_yaml = """\
              - match: {prefix: /api}
                route: {cluster: app}
                typed_per_filter_config:
                  jwt:
                    "@type": type.googleapis.com/envoy.config.route.v3.FilterConfig
                    disabled: false
              - match: {prefix: /other}
                route: {cluster: app}
"""
    text = _hcm_listener(filters, routes_yaml)
    (res,) = parse(text)
    api, other = decided(res)
    assert api["authentication"].value.startswith("required")
    assert other["authentication"].value == "opted out: jwt_authn disabled by default and not enabled here"
    assert res.line_of(other["authentication"].at) == line_of(text, "disabled: true")


def test_http_filters_and_route_facts() -> None:
    """The parser describes the filters in chain order and what reaches each route, with lines."""
    (res,) = parse(SNAKE)
    http = res.attributes["chains"][0]["http"]
    rl, rt = http["http_filters"]
    assert (rl["name"], rl["kind"], rl["disabled"], rl["after_router"]) == ("rateLimiter", "local_ratelimit", False, False)
    assert rl["config"] == {}  # stat_prefix only: no token_bucket, no fractions
    assert (rt["kind"], rt["after_router"]) == ("router", False)
    (route,) = http["routes"]
    assert route["route_match"] == {"text": "prefix '/'", "path": ["prefix", "/"], "conditions": [],
                                    "case_insensitive": False}
    (vh_config,) = route["per_filter_config"]
    assert (vh_config["filter"], vh_config["level"], vh_config["type"]) == (
        "rateLimiter", "virtual_host", "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit")
    assert vh_config["config"]["filter_enabled"] == vh_config["config"]["filter_enforced"] == 100.0
    assert vh_config["config"]["token_bucket"]["max_tokens"] == 10
    assert (route["rate_limits"], route["virtual_host_rate_limits"]) == (0, 0)
    assert res.line_of("chains[0].http.routes[0].per_filter_config[0].config") == line_of(SNAKE, "rateLimiter:")
    assert res.line_of("chains[0].http.routes[0].per_filter_config[0].config.filter_enforced") == line_of(
        SNAKE, "filter_enforced:")
    assert res.line_of("chains[0].http.http_filters[0]") == line_of(SNAKE, "- name: rateLimiter")


def test_filter_config_wrappers_and_fractions() -> None:
    filters = JWT_FILTER.replace("          - name: jwt\n", "          - name: jwt\n            disabled: true\n")
    filters += f"""\
          - name: envoy.filters.http.local_ratelimit
            typed_config:
              "@type": {LRL}
              token_bucket: {{max_tokens: 1, tokens_per_fill: 1, fill_interval: 1s}}
              filter_enabled: {{default_value: {{numerator: 5000, denominator: TEN_THOUSAND}}}}
              filter_enforced: {{default_value: {{numerator: x}}}}
"""
    routes_yaml = """\
              - match: {prefix: /api}
                route: {cluster: app, rate_limits: [{actions: [{remote_address: {}}]}]}
                typed_per_filter_config:
                  jwt:
                    "@type": type.googleapis.com/envoy.config.route.v3.FilterConfig
                    config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig
                      requirement_name: strict
"""
    text = _hcm_listener(filters, routes_yaml) + "          - name: envoy.filters.http.cors\n"
    (res,) = parse(text)
    http = res.attributes["chains"][0]["http"]
    jwt, rl, router, cors = http["http_filters"]
    assert jwt["disabled"] is True and jwt["config"]["providers"] == ["idp"]
    assert jwt["config"]["requirement_map"] == {"strict": {"provider_name": "idp"}}
    assert [r["match"]["text"] for r in jwt["config"]["rules"]] == ["prefix '/public'", "prefix '/'"]
    assert "requires" not in jwt["config"]["rules"][0]
    assert rl["config"]["filter_enabled"] == 50.0 and isinstance(rl["config"]["filter_enforced"], Unknown)
    assert (router["after_router"], cors["after_router"], cors["kind"]) == (False, True, "cors")
    (route,) = http["routes"]
    (wrapper,) = route["per_filter_config"]
    assert wrapper["type"] == "envoy.config.route.v3.FilterConfig" and wrapper["disabled"] is False
    assert wrapper["config"] == {"requirement_name": "strict"}
    assert route["rate_limits"] == 1
    assert res.line_of("chains[0].http.routes[0].per_filter_config[0].config.requirement_name") == line_of(
        text, "requirement_name: strict")
    assert said(res)[0]["authentication"] == "required: per-route requirement 'strict' requires 'idp'"


def test_filters_after_the_router_never_run() -> None:
    text = _hcm_listener("", "              - match: {prefix: /}\n                route: {cluster: app}\n")
    text += JWT_FILTER
    (res,) = parse(text)
    assert said(res)[0]["authentication"] == "not required: the auth filter is after the router (never runs)"


def test_rds_and_ecds_are_unknown() -> None:
    rds = f"""\
static_resources:
  listeners:
  - name: l
    address: {{socket_address: {{address: 0.0.0.0, port_value: 80}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          stat_prefix: l
          rds: {{route_config_name: r, config_source: {{ads: {{}}}}}}
          http_filters:
          - name: envoy.filters.http.cors
            typed_config: {{"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}}
          - name: envoy.filters.http.router
"""
    (res,) = parse(rds)
    http = res.attributes["chains"][0]["http"]
    assert isinstance(http["routes"], Unknown) and "RDS" in http["routes"].reason
    assert isinstance(http["cors_policies"], Unknown)
    ecds = JWT_FILTER.replace(f'            typed_config:\n              "@type": {JWT}\n',
                              "            config_discovery:\n              config_source: {ads: {}}\n"
                              f"              type_urls: [{JWT}]\n")
    (res,) = parse(_hcm_listener(ecds, "              - match: {prefix: /}\n                route: {cluster: app}\n"))
    assert isinstance(said(res)[0]["authentication"], Unknown)


def test_shadow_mode_local_rate_limit() -> None:
    filters = f"""\
          - name: envoy.filters.http.local_ratelimit
            typed_config:
              "@type": {LRL}
              stat_prefix: rl
              token_bucket: {{max_tokens: 2, tokens_per_fill: 2, fill_interval: 5s}}
              filter_enabled:
                runtime_key: local_rate_limit_enabled
                default_value: {{numerator: 100, denominator: HUNDRED}}
"""
    text = _hcm_listener(filters, "              - match: {prefix: /}\n                route: {cluster: app}\n")
    (res,) = parse(text)
    assert said(res)[0]["rate_limit"] == "shadow mode: filter_enforced not set (defaults to 0%) (filter_enabled 100%)"
    enforced = filters + "              filter_enforced: {default_value: {numerator: 5000, denominator: TEN_THOUSAND}}\n"
    (res,) = parse(_hcm_listener(enforced, "              - match: {prefix: /}\n                route: {cluster: app}\n"))
    assert said(res)[0]["rate_limit"] == "enforced: local_ratelimit (enabled 100%, enforced 50%)"


def test_cors_policies_only_with_the_cors_filter() -> None:
    routes_yaml = """\
              - match: {prefix: /}
                route:
                  cluster: app
                  cors:
                    allow_origin_regex: [".*"]
                    allow_credentials: true
"""
    (inert,) = parse(_hcm_listener("", routes_yaml))
    assert "cors_policies" not in inert.attributes["chains"][0]["http"]
    (active,) = parse(_hcm_listener("          - name: envoy.filters.http.cors\n", routes_yaml))
    (policy,) = active.attributes["chains"][0]["http"]["cors_policies"]
    assert policy["allow_origin_string_match"] == [{"safe_regex": {"regex": ".*"}}]
    assert policy["allow_credentials"] is True


def test_struct_and_map_keys_are_verbatim() -> None:
    text = """\
node:
  id: edge-1
  metadata: {teamName: edge, costCenter: "42"}
admin:
  address: {socketAddress: {address: 127.0.0.1, portValue: 9901}}
static_resources:
  clusters:
  - name: c
    metadata:
      filterMetadata:
        envoy.lb: {canaryHost: true}
"""
    res = by_address(parse(text))
    meta = res["envoy_cluster.c"].attributes["metadata"]
    assert meta == {"filter_metadata": {"envoy.lb": {"canaryHost": True}}}
    assert res["envoy_admin.admin"].attributes["address"]["socket_address"]["port_value"] == 9901


def test_internal_and_pipe_listeners() -> None:
    text = """\
static_resources:
  listeners:
  - name: internal
    internal_listener: {}
    filter_chains: []
  - name: uds
    address: {pipe: {path: /run/envoy.sock}}
    filter_chains: []
"""
    res = by_address(parse(text))
    assert res["envoy_listener.internal"].attributes["bind_address"] == "internal"
    assert res["envoy_listener.uds"].attributes["bind_address"] == "unix:/run/envoy.sock"


def test_virtual_hosts_and_protocol_facts() -> None:
    routes_yaml = """\
              - match: {prefix: /old}
                redirect: {https_redirect: true}
              - match: {prefix: /x}
                redirect: {scheme_redirect: HTTPS, path_redirect: /y}
              - match: {prefix: /}
                direct_response: {status: 404}
"""
    text = _hcm_listener("", routes_yaml).replace("              domains: [\"*\"]\n",
                                                  "              domains: [\"*\"]\n              require_tls: ALL\n")
    (res,) = parse(text)
    chain = res.attributes["chains"][0]
    assert (chain["protocol"], chain["transport"]) == ("plaintext", "plaintext (no transport_socket)")
    assert chain["http"]["virtual_hosts"] == [{"name": "app", "require_tls": "ALL", "routes": [
        {"action": "redirect", "redirect_scheme": "https"}, {"action": "redirect", "redirect_scheme": "HTTPS"},
        {"action": "direct_response"}]}]
    assert res.line_of("chains[0].http.virtual_hosts[0].require_tls") == line_of(text, "require_tls: ALL")
    assert chain["http"]["routes"] == []  # none forwards upstream


def test_unrecognised_transport_socket_is_unknown() -> None:
    text = """\
static_resources:
  listeners:
  - name: custom
    address: {socket_address: {address: 0.0.0.0, port_value: 443}}
    filter_chains:
    - transport_socket:
        name: acme.transport_sockets.hsm_tls
        typed_config: {"@type": type.googleapis.com/acme.HsmTls}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: x
    - transport_socket:
        name: envoy.transport_sockets.tap
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tap.v3.Tap
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
      filters: []
"""
    (res,) = parse(text)
    hsm, tapped = res.attributes["chains"]
    assert isinstance(hsm["transport"], Unknown)
    assert tapped["transport"] == "tls (DownstreamTlsContext)"
    assert res.attributes["tls_contexts"][0]["at"] == (
        "filter_chains[1].transport_socket.typed_config.transport_socket.typed_config")


def test_inline_waiver_comment() -> None:
    text = """\
admin:
  # soc2iac:ignore=envoy-admin-not-public reason="pod network only, NetworkPolicy denies ingress"
  address:
    socket_address: {address: 0.0.0.0, port_value: 9901}
static_resources:
  clusters: []
"""
    (admin,) = parse(text)
    assert declared(admin) == (("envoy-admin-not-public", "pod network only, NetworkPolicy denies ingress"),)


# --- detection ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    SNAKE,
    CAMEL,
    "admin:\n  address: {socket_address: {address: 127.0.0.1, port_value: 9901}}\ndynamic_resources:\n  lds_config: {ads: {}}\n",
    'resources:\n- "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster\n  name: c\n',
    json.dumps({"staticResources": {"listeners": []}, "admin": {}}),
])
def test_detects_envoy_configs(text: str) -> None:
    assert envoy.detect(Path("x.yaml"), text)


@pytest.mark.parametrize("text", [
    # Kubernetes manifests, including a ConfigMap carrying an Envoy config
    "apiVersion: v1\nkind: Service\nmetadata: {name: envoy}\nspec:\n  ports: [{port: 80}]\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: envoy}\ndata:\n  envoy.yaml: |\n    static_resources:\n"
    "      listeners: []\n    admin:\n      address: {}\n",
    # docker-compose running Envoy
    "services:\n  front-envoy:\n    image: envoyproxy/envoy:v1.31-latest\n    volumes:\n"
    "    - ./envoy.yaml:/etc/envoy/envoy.yaml\n    ports: ['8080:8080']\n",
    # Helm values with a top-level resources block
    "replicaCount: 2\nresources:\n  limits: {cpu: 100m}\nadmin:\n  enabled: true\n",
    # Kong declarative config and a Terraform plan
    "_format_version: '3.0'\nservices:\n- name: s\n  url: http://x\n",
    json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [],
                "planned_values": {"root_module": {"resources": [{"values": {"static_resources": {}}}]}}}),
])
def test_does_not_claim_other_yaml(text: str) -> None:
    assert not envoy.detect(Path("x.yaml"), text)


# --- malformed files ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "words"), [
    ("static_resources:\n  listeners:\n  - name: a\n    address: {socket_address: {address: 0.0.0.0\n", 5, "invalid YAML"),
    ("static_resources:\n  listeners: 5\n", 2, "must be a list"),
    ("static_resources:\n  listeners:\n  - name: a\n    filter_chains:\n    - just-a-string\n", 5, "must be a mapping"),
    ("static_resources:\n  listeners:\n  - name: a\n    filter_chains:\n    - filters:\n      - name: x\n"
     "        typed_config: 7\n", 7, "typed_config must be a mapping"),
    ("static_resources:\n  listeners:\n  - name: a\n    address:\n      socket_address:\n        address: 0.0.0.0\n"
     "        port_value: http\n", 7, "port_value must be a number"),
    ('{\n  "static_resources": {\n    "listeners": [\n      {"name": "a"\n    ]\n  }\n}\n', 5, "invalid YAML"),
])
def test_malformed_config_is_an_input_error_with_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.problem.line == line
    assert words in err.value.problem.message


def test_malformed_file_is_reported_and_other_files_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("static_resources:\n  listeners: 5\n")
    (tmp_path / "good.yaml").write_text(FRONT_PROXY)
    policy = load_file(builtin_policy_dir() / "envoy-admin-not-public.yaml")
    result = scan([str(tmp_path)], policies=[policy], config=Config())
    assert [(p.file.endswith("bad.yaml"), p.line) for p in result.problems] == [(True, 2)]
    assert [(f.verdict, f.resource) for f in result.findings] == [("fail", "envoy_admin.admin")]


def test_listener_answering_only_direct_responses_is_not_judged_as_a_route(tmp_path: Path) -> None:
    """Nothing reaches an upstream: authentication and rate limiting are not applicable, not PASS."""
    (tmp_path / "envoy.yaml").write_text(_hcm_listener("", "              - match: {prefix: /}\n"
                                                           "                direct_response: {status: 200}\n"))
    policies = [load_file(builtin_policy_dir() / f"{pid}.yaml")
                for pid in ("envoy-routes-require-authentication", "envoy-rate-limit-enforced")]
    result = scan([str(tmp_path)], policies=policies, config=Config())
    assert not result.problems
    assert [(f.policy_id, f.verdict) for f in result.findings] == []
