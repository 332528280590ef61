"""Kong parser (decK / DB-less declarative config and kong.conf) and its policies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from soc2iac.errors import InputError
from soc2iac.model import Unknown
from soc2iac.parsers import kong, registry

from soc2iac.waivers import declared
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "gateway_fixtures"

DECK = """\
_format_version: "3.0"
_transform: true
services:
  - name: orders
    url: http://orders.internal:8080
    plugins:
      - name: rate-limiting
        config: {minute: 100}
      - name: jwt
        enabled: false
    routes:
      - name: orders-api
        paths: [/orders]
        plugins:
          - name: rate-limiting
            config: {second: 5}
      - paths: [/orders/unnamed]
  - name: billing
    id: 5c0e3b8a-0000-4000-8000-000000000001
    url: http://billing.internal:8080
routes:
  - name: billing-api
    service: {id: 5c0e3b8a-0000-4000-8000-000000000001}
    paths: [/billing]
  - name: billing-v2
    service: billing
    paths: [/billing/v2]
  - name: search
    service: search-service
    paths: [/search]
plugins:
  - name: key-auth
  - name: file-log
    config: {path: /dev/stdout}
  - name: cors
    route: billing-v2
    config:
      origins: ["*"]
  - name: acl
    service: billing
    route: billing-v2
    config: {allow: [a]}
  - name: acl
    service: billing
    route: orders-api
    config: {allow: [b]}
  - name: http-log
    protocols: [tcp]
    config: {http_endpoint: https://logs.example.com}
consumers:
  - username: alice
    keyauth_credentials:
      - key: "{vault://env/alice-key}"
    plugins:
      - name: request-termination
consumer_groups:
  - name: gold
    plugins:
      - name: rate-limiting-advanced
        config: {limit: [10], window_size: [60]}
keyauth_credentials:
  - consumer: bob
    key: bobs-literal-key
upstreams:
  - name: orders-up
    targets: [{target: 10.0.0.1:8080}]
certificates:
  - cert: x
    key: y
    snis: [{name: api.example.com}]
key_sets:
  - name: jwks
"""


def _by_address(text: str, shown: str = "kong.yaml") -> dict:
    return {r.address: r for r in kong.parse_text(text, shown, Path(shown))}


def test_resources_of_every_entity_kind() -> None:
    res = _by_address(DECK)
    types = {r.type for r in res.values()}
    assert {"kong_service", "kong_route", "kong_plugin", "kong_consumer", "kong_consumer_group",
            "kong_credential", "kong_upstream", "kong_certificate", "kong_key_set"} <= types
    assert {a for a, r in res.items() if r.type == "kong_route"} == {
        "kong:route/orders-api", "kong:route/orders#2", "kong:route/billing-api",
        "kong:route/billing-v2", "kong:route/search"}
    assert all(r.source == "kong" for r in res.values())
    # nested child lists are resources of their own, not copied into the parent
    assert "plugins" not in res["kong:consumer/alice"].attributes
    assert res["kong:service/orders"].attributes["route_names"] == ["orders-api", "orders#2"]


def test_plugin_scoping_most_specific_wins() -> None:
    res = _by_address(DECK)
    api = res["kong:route/orders-api"].attributes
    # route-scoped rate-limiting beats the service one; global key-auth and file-log apply;
    # the disabled service jwt does not; the tcp-only http-log does not run for HTTP
    assert api["effective_plugin_names"] == ["file-log", "key-auth", "rate-limiting"]
    assert api["effective_plugins"]["rate-limiting"]["scope"] == "route"
    assert api["effective_plugins"]["rate-limiting"]["config"] == {"second": 5}
    assert api["effective_plugins"]["key-auth"]["scope"] == "global"
    assert api["effective_plugins"]["key-auth"]["defined_at"] == "kong:plugin/key-auth@global"
    unnamed = res["kong:route/orders#2"].attributes
    assert unnamed["effective_plugins"]["rate-limiting"]["scope"] == "service"
    # route+service scope applies only when both match (acl on billing-v2, not on orders-api)
    v2 = res["kong:route/billing-v2"].attributes
    assert v2["effective_plugins"]["acl"]["scope"] == "route+service"
    assert v2["effective_plugins"]["cors"]["scope"] == "route"
    assert v2["service"] == "billing"
    # a service reference by id resolves to the service
    assert res["kong:route/billing-api"].attributes["service"] == "billing"
    assert res["kong:route/billing-api"].attributes["effective_plugin_names"] == ["file-log", "key-auth"]
    # consumer and consumer-group plugins never count for a route
    for r in res.values():
        if r.type == "kong_route":
            assert "request-termination" not in r.attributes["effective_plugin_names"]
            assert "rate-limiting-advanced" not in r.attributes["effective_plugin_names"]
    # services get the service and global scopes
    assert res["kong:service/orders"].attributes["effective_plugin_names"] == ["file-log", "key-auth", "rate-limiting"]


def test_service_in_another_file_makes_the_service_scope_unknown() -> None:
    names = _by_address(DECK)["kong:route/search"].attributes["effective_plugin_names"]
    assert names[:2] == ["file-log", "key-auth"]
    assert isinstance(names[2], Unknown) and "search-service" in names[2].reason


def test_plugin_resources_carry_their_scope() -> None:
    res = _by_address(DECK)
    assert res["kong:plugin/rate-limiting@service/orders"].attributes["scope"] == "service"
    assert res["kong:plugin/rate-limiting@route/orders-api"].attributes["route"] == "orders-api"
    assert res["kong:plugin/acl@route/billing-v2/service/billing"].attributes["scope"] == "route+service"
    assert res["kong:plugin/request-termination@consumer/alice"].attributes["scope"] == "consumer"
    assert res["kong:plugin/rate-limiting-advanced@consumer_group/gold"].attributes["scope"] == "consumer_group"


def test_lines_of_entities_attributes_and_effective_plugins() -> None:
    res = _by_address(DECK)
    lines = DECK.splitlines()
    api = res["kong:route/orders-api"]
    assert api.location.start_line == 12 and lines[11].strip() == "- name: orders-api"
    assert api.line_of("paths") == 13
    # an effective plugin points at its definition, wherever it is in the file
    assert api.line_of("effective_plugins.key-auth") == lines.index("  - name: key-auth") + 1
    assert api.line_of("effective_plugins.rate-limiting.config.second") == 16
    assert api.line_of("effective_plugin_names") == 12  # no line of its own: the route's first line
    cred = res["kong:credential/keyauth_credentials/bob#1"]
    assert cred.attributes == {"consumer": "bob",
                               "keyauth_credentials": [{"consumer": "bob", "key": "bobs-literal-key"}]}
    assert cred.line_of("keyauth_credentials[0].key") == lines.index("    key: bobs-literal-key") + 1
    svc = res["kong:service/billing"]
    assert svc.location.start_line == 18 and svc.line_of("url") == 20


def test_vault_references_are_not_literals() -> None:
    alice = _by_address(DECK)["kong:consumer/alice"]
    key = alice.attributes["keyauth_credentials"][0]["key"]
    assert isinstance(key, Unknown) and "vault://env/alice-key" in key.reason


def test_json_declarative_config() -> None:
    text = json.dumps({"_format_version": "3.0", "services": [
        {"name": "s", "url": "http://s", "routes": [{"name": "r", "paths": ["/"]}]}],
        "plugins": [{"name": "jwt"}]}, indent=2)
    assert kong.detect(Path("kong.json"), text)
    res = _by_address(text, "kong.json")
    assert res["kong:route/r"].attributes["effective_plugin_names"] == ["jwt"]
    assert res["kong:route/r"].location.start_line == text.splitlines().index('          "name": "r",')


def test_real_deck_shapes() -> None:
    # shapes of decK's own test data: env substitution templates, kong2kic-style services with
    # upstream healthchecks, consumer credentials, keys/key_sets, consumer groups with plugins
    text = """\
_format_version: "3.0"
services:
- name: svc2
  host: ${{ env "DECK_SVC2_HOST" }}
  client_certificate: 4e3ad2e4-0bc4-4638-8e34-c84a417ba39b
  tags:
    - '<'
  routes:
  - name: r2
    paths:
    - /r2
    headers:
      x-my-header: [foo, bar]
    sources:
      - ip: 192.168.0.1
    plugins:
      - name: basic-auth
        config:
          hide_credentials: false
plugins:
- name: prometheus
- name: pre-function
  config:
    log: |
      ${{ env "DECK_FILE_LOG_FUNCTION" | indent 8 }}
- name: rate-limiting-advanced
  config:
    limit:
    - 10
    window_size:
    - 60
    namespace: foo
    sync_rate: -1
  route: r2
upstreams:
  - name: example-api.com
    healthchecks:
      active:
        healthy: {http_statuses: [200, 302], successes: 0}
    client_certificate:
      id: ea29aaa3-3b2d-488c-b90c-56df8e0dd8c6
consumers:
  - username: example-user
    custom_id: "1234567890"
    basicauth_credentials:
      - username: my_basic_user
        password: my_basic_password
    groups:
      - name: gold
consumer_groups:
- id: 92177268-b134-42f9-909a-36f9d2d3d5e7
  name: gold
  plugins:
  - id: cc3e0973-1dab-4887-b164-9ae75c12c0bb
    config: {limit: [10], window_size: [60], window_type: sliding}
    name: rate-limiting-advanced
key_sets:
- id: d46b0e15-ffbc-4b15-ad92-09ef67935453
  name: bar
keys:
- id: f21a7073-1183-4b1c-bd87-4d5b8b18eeb4
  jwk: '{"kty": "RSA", "kid": "vsR8", "e": "AQAB"}'
  kid: vsR8
  set:
    id: d46b0e15-ffbc-4b15-ad92-09ef67935453
  name: foo
"""
    assert kong.detect(Path("kong.yaml"), text)
    res = _by_address(text)
    r2 = res["kong:route/r2"].attributes
    assert r2["effective_plugin_names"] == ["basic-auth", "pre-function", "prometheus", "rate-limiting-advanced"]
    assert r2["effective_plugins"]["rate-limiting-advanced"]["scope"] == "route"
    assert res["kong:key/foo"].type == "kong_key"
    assert res["kong:consumer/example-user"].attributes["basicauth_credentials"][0]["password"] == "my_basic_password"
    assert res["kong:plugin/rate-limiting-advanced@consumer_group/gold"].attributes["scope"] == "consumer_group"


KONG_CONF = """\
# -----------------------
# Kong configuration file
# -----------------------
#log_level = notice              # Log level of the Nginx server.
                                 # continuation of a comment

database = postgres
pg_password = {vault://env/pg-password}
admin_listen = 127.0.0.1:8001, 127.0.0.1:8444 ssl   # loopback only
plugins=bundled,soap2rest
ssl_ciphers =
nginx_http_add_header = X-Tag \\#1
proxy_listen = 0.0.0.0:8000, \\
    0.0.0.0:8443 ssl
log_level = info
log_level = debug
"""


def test_kong_conf_keys_values_and_lines() -> None:
    (res,) = kong.parse_text(KONG_CONF, "etc/kong/kong.conf", Path("etc/kong/kong.conf"))
    assert res.type == "kong_conf" and res.source == "kong" and res.address == "kong:conf/etc/kong/kong.conf"
    a = res.attributes
    assert a["database"] == "postgres"
    assert a["admin_listen"] == "127.0.0.1:8001, 127.0.0.1:8444 ssl"  # trailing comment stripped
    assert a["plugins"] == "bundled,soap2rest"
    assert a["ssl_ciphers"] is None  # `key =` keeps the default
    assert a["nginx_http_add_header"] == "X-Tag #1"  # \# is a literal #
    assert a["proxy_listen"] == "0.0.0.0:8000, 0.0.0.0:8443 ssl"  # continued line
    assert a["log_level"] == "debug"  # the last of a repeated key wins
    assert isinstance(a["pg_password"], Unknown)
    assert res.line_of("admin_listen") == 9 and res.line_of("proxy_listen") == 13 and res.line_of("log_level") == 16
    assert res.line_of("ssl_cipher_suite") == 1  # absent: the file's first line


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("kong.yaml", DECK, True),
    ("kong.yml", "# state\n_format_version: '1.1'\nservices: []\n", True),
    ("konnect.yaml", "_konnect:\n  control_plane_name: default\nservices: []\n", True),
    ("kong.json", '{"_format_version": "3.0", "services": []}', True),
    ("etc/kong.conf", KONG_CONF, True),
    ("kong.conf", "# everything commented out, as in kong.conf.default\n#admin_listen = 0.0.0.0:8001\n", True),
    ("gateway.conf", "admin_listen = 127.0.0.1:8001\n", True),
    ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: kong}\nspec:\n  template:\n"
                    "    spec:\n      containers:\n        - name: kong\n          env:\n"
                    "            - {name: KONG_ADMIN_LISTEN, value: '0.0.0.0:8001'}\n", False),
    ("docker-compose.yml", "services:\n  kong:\n    image: kong:3.9\n    environment:\n"
                           "      KONG_DATABASE: 'off'\n      KONG_DECLARATIVE_CONFIG: /kong/kong.yml\n", False),
    ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kong}\ndata:\n  kong.yml: |\n"
                "    _format_version: '3.0'\n    services: []\n", False),
    ("values.json", '{"services": [{"name": "a"}]}', False),
    ("nginx.conf", "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.2;\n  }\n}\n", False),
    ("sysctl.conf", "net.ipv4.ip_forward = 1\nvm.swappiness = 10\n", False),
    ("supervisord.conf", "[program:kong]\ncommand = kong start\nautostart = true\n", False),
    ("app.conf", "database = postgres\nport = 5432\n", False),
])
def test_detect(name: str, text: str, expected: bool) -> None:
    assert kong.detect(Path(name), text) is expected


def test_registered_with_the_scanner() -> None:
    assert "soc2iac.parsers.kong" in {e.module for e in registry.ENTRIES}
    assert {".yaml", ".yml", ".json", ".conf"} <= registry.suffixes()


@pytest.mark.parametrize(("text", "line", "message"), [
    ('_format_version: "3.0"\nservices:\n  - name: a\n    routes: [\n', 5, "invalid YAML"),
    ('_format_version: "3.0"\nservices:\n  name: a\n', 2, "services must be a list"),
    ('_format_version: "3.0"\nservices:\n  - name: a\n    routes:\n      - just-a-string\n', 5,
     "services[0].routes[0] must be a mapping"),
    ('{"_format_version": "3.0",\n "services": [\n  {"name": "a",}\n ]\n}\n', 3, "invalid JSON"),
])
def test_malformed_declarative_config_is_an_input_error_with_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as err:
        kong.parse_text(text, "kong.yaml", Path("kong.yaml"))
    assert err.value.problem.line == line and message in err.value.problem.message


def test_malformed_kong_conf_is_an_input_error_with_line_and_no_value() -> None:
    text = "admin_listen = 127.0.0.1:8001\npg_password hunter2-secret\n"
    with pytest.raises(InputError) as err:
        kong.parse_text(text, "kong.conf", Path("kong.conf"))
    assert err.value.problem.line == 2
    assert "hunter2" not in str(err.value)


def _scan_json(*paths: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "soc2iac", "scan", *paths, "-f", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    return proc.returncode, json.loads(proc.stdout)


def test_gateway_fixtures_scan_without_input_errors() -> None:
    code, doc = _scan_json("gateway_fixtures")
    assert code in (0, 1), doc.get("problems")
    kong_files = {f["file"] for f in doc["findings"] if f["source"] == "kong"}
    assert not [p for p in doc["problems"] if "kong" in p.get("file", "")]
    assert len({f.split("/")[1] for f in kong_files}) >= 8  # every Kong policy folder produced findings


def test_malformed_kong_file_is_reported_and_others_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text('_format_version: "3.0"\nservices:\n  - name: a\n    routes: [\n')
    (tmp_path / "kong.conf").write_text("admin_listen = 0.0.0.0:8001\n")
    code, doc = _scan_json(str(tmp_path))
    assert code == 2
    assert [(p["file"].endswith("broken.yaml"), p["line"]) for p in doc["problems"]] == [(True, 5)]
    assert any(f["policy_id"] == "kong-conf-admin-not-public" and f["verdict"] == "fail" for f in doc["findings"])


SECRETS = ["Sup3rRedisPass", "4lice-kEy-9f8e7d6c5b4a", "alic3-basic-pw", "b0b-hmac-s3cret-value",
           "car0l-client-s3cret", "d4ve-jwt-hmac-secret", "ExampleOnlyNotAKey", "k0ngDbPassw0rd"]


def test_credential_findings_are_redacted() -> None:
    folder = FIXTURES / "kong-no-literal-credentials"
    text = "".join(p.read_text() for p in folder.iterdir())
    assert all(s in text for s in SECRETS)  # the fixtures do hold them ...
    proc = subprocess.run([sys.executable, "-m", "soc2iac", "scan", str(folder), "-f", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    fails = [f for f in json.loads(proc.stdout)["findings"]
             if f["policy_id"] == "kong-no-literal-credentials" and f["verdict"] == "fail"]
    assert len(fails) == 7
    for secret in SECRETS:  # ... and no output shows them
        assert secret not in proc.stdout and secret not in proc.stderr


def test_inline_waiver_comment_belongs_to_the_entity_it_annotates() -> None:
    text = """\
_format_version: "3.0"
services:
  - name: health
    url: http://health:80
    routes:
      # soc2iac:ignore=kong-route-authentication-required reason="public health check"
      - name: healthz
        paths: [/healthz]
      - name: other
        paths: [/other]
"""
    res = _by_address(text)
    assert declared(res["kong:route/healthz"]) == (("kong-route-authentication-required", "public health check"),)
    assert declared(res["kong:route/other"]) == ()
    assert declared(res["kong:service/health"]) == ()  # the comment is the nested route's, not the service's


@pytest.mark.parametrize(("text", "is_kong"), [
    ("_info:\n  select_tags: [a]\nservices:\n  - name: a\n    url: http://a\n", True),
    ("services:\n  - name: a\n    url: http://a\n    routes: []\n", True),
    ("services:\n\n  # a comment\n  - host: a.internal\n    name: a\n", True),
    ("services:\n  web:\n    image: nginx\n", False),  # docker-compose: services is a mapping
    ("apiVersion: v1\nkind: List\nservices:\n  - url: http://a\n", False),  # a Kubernetes object
])
def test_deck_files_are_recognised_without_format_version(text: str, is_kong: bool) -> None:
    assert kong.detect(Path("kong.yaml"), text) is is_kong
