"""NGINX (crossplane) and Traefik (YAML/TOML) parsers: detection, includes, inheritance,
lines, case-insensitive keys, malformed input, and their policies end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from soc2iac.checks.cors_origin_restricted import effective
from soc2iac.config import Config
from soc2iac.errors import InputError
from soc2iac.model import Resource, Unknown, is_unknown
from soc2iac.parsers import nginx, registry, traefik
from soc2iac.policy import builtin_policy_dir, load_file
from soc2iac.scanner import scan


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _parse(module, path: Path) -> list[Resource]:
    text = path.read_text()
    assert module.detect(path, text), f"{path.name} not detected"
    return module.parse_text(text, str(path), path)


def _by(resources: list[Resource], rtype: str, name: str) -> Resource:
    found = [r for r in resources if r.type == rtype and r.name == name]
    assert len(found) == 1, [(r.type, r.name) for r in resources]
    return found[0]


def _findings(paths: list[Path], policy_id: str):
    policy = load_file(builtin_policy_dir() / f"{policy_id}.yaml")
    result = scan([str(p) for p in paths], policies=[policy], config=Config())
    return result, [f for f in result.findings if f.policy_id == policy_id]


def test_both_parsers_are_registered() -> None:
    assert {"soc2iac.parsers.nginx", "soc2iac.parsers.traefik"} <= {e.module for e in registry.ENTRIES}
    assert {".conf", ".toml", ".yaml", ".yml"} <= registry.suffixes()


# -- NGINX ---------------------------------------------------------------------------

MAIN = """\
user nginx;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    ssl_protocols TLSv1.2 TLSv1.3;
    access_log /var/log/nginx/access.log;
    add_header X-Frame-Options DENY;
    limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;
    include /etc/nginx/conf.d/*.conf;
}
"""

FRAGMENT = """\
server {
    listen 443 ssl http2;
    server_name api.example.com;
    limit_req zone=api burst=20;

    location /v1/ {
        add_header X-Api v1;
        proxy_pass http://backend;
    }
    location /static/ {
        root /srv;
        location ~ \\.css$ { expires 1d; }
    }
}
"""


@pytest.fixture()
def nginx_tree(tmp_path: Path) -> Path:
    _write(tmp_path / "nginx" / "nginx.conf", MAIN)
    _write(tmp_path / "nginx" / "conf.d" / "api.conf", FRAGMENT)
    return tmp_path / "nginx"


def test_nginx_includes_are_followed_and_directives_inherited(nginx_tree: Path) -> None:
    resources = _parse(nginx, nginx_tree / "nginx.conf")
    server = _by(resources, "nginx_server", "api.example.com")
    # the absolute include /etc/nginx/conf.d/*.conf is found under the main file's folder
    assert server.location.file.endswith("conf.d/api.conf") and server.location.start_line == 1
    assert server.location.end_line == 14
    assert server.attributes["ssl_protocols"] == "TLSv1.2 TLSv1.3"  # from http
    assert server.attributes["tls"] is True
    assert server.attributes["listen"] == ["443 ssl http2"]
    assert server.attributes["inherited"]["ssl_protocols"].endswith("nginx.conf:5")
    assert server.attributes["locations"] == ["/v1/", "/static/"]
    # mime.types (not in the repository) is a standard include: nothing becomes unknown
    assert server.attributes["unresolved_includes"] == []

    v1 = _by(resources, "nginx_location", "/v1/")
    assert v1.attributes["proxied"] is True and v1.attributes["proxy_pass"] == "http://backend"
    assert v1.attributes["limit_req"] == ["zone=api burst=20"]  # from the server
    # add_header at a level replaces the inherited ones (nginx's array-directive rule)
    assert v1.attributes["add_header"] == ["X-Api v1"]
    static = _by(resources, "nginx_location", "/static/")
    assert static.attributes["add_header"] == ["X-Frame-Options DENY"]
    assert static.attributes["proxied"] is False
    nested = _by(resources, "nginx_location", "~ \\.css$")
    assert nested.attributes["root"] == "/srv" and nested.attributes["expires"] == "1d"
    assert nested.address.startswith(static.address.rsplit("/location(", 1)[0])


def test_nginx_lines_point_at_directives_in_the_blocks_own_file(nginx_tree: Path) -> None:
    resources = _parse(nginx, nginx_tree / "nginx.conf")
    server = _by(resources, "nginx_server", "api.example.com")
    assert server.line_of("limit_req") == 4
    assert server.line_of("listen[0]") == 2
    # inherited from nginx.conf: another file, so the block's own first line
    assert server.line_of("ssl_protocols") == 1
    v1 = _by(resources, "nginx_location", "/v1/")
    assert v1.line_of("proxy_pass") == 8 and v1.line_of("add_header[0]") == 7
    assert v1.line_of("limit_req") == 4  # inherited within the same file


def test_nginx_fragment_alone_reads_its_main_config(nginx_tree: Path) -> None:
    alone = _parse(nginx, nginx_tree / "conf.d" / "api.conf")
    main = [r for r in _parse(nginx, nginx_tree / "nginx.conf") if r.location.file.endswith("api.conf")]
    assert [r.address for r in alone] == [r.address for r in main]
    assert [dict(r.attributes) for r in alone] == [dict(r.attributes) for r in main]


def test_nginx_fragment_without_main_is_its_own_http_context(tmp_path: Path) -> None:
    frag = _write(tmp_path / "site.conf", "ssl_protocols TLSv1.3;\n" + FRAGMENT)
    server = _by(_parse(nginx, frag), "nginx_server", "api.example.com")
    assert server.attributes["ssl_protocols"] == "TLSv1.3"
    assert "access_log" not in server.attributes


def test_nginx_unresolved_include_makes_decisive_directives_unknown(tmp_path: Path) -> None:
    conf = _write(tmp_path / "site.conf", """\
ssl_protocols TLSv1 TLSv1.2;
server {
    listen 443 ssl;
    server_name a.example.com;
    include /etc/letsencrypt/options-ssl-nginx.conf;
    location / { include /etc/nginx/snippets/rate-limit.conf; proxy_pass http://b; }
}
""")
    resources = _parse(nginx, conf)
    server = _by(resources, "nginx_server", "a.example.com")
    # Certbot's file sets ssl_protocols: the inherited value may be overridden
    assert is_unknown(server.attributes["ssl_protocols"])
    assert "options-ssl-nginx.conf" in server.attributes["ssl_protocols"].reason
    assert "limit_req" not in server.attributes  # Certbot's file sets no rate limit
    loc = _by(resources, "nginx_location", "/")
    assert isinstance(loc.attributes["limit_req"], Unknown)
    _, found = _findings([conf], "nginx-tls12")
    assert [f.verdict for f in found] == ["unknown"]


def test_nginx_cors_gating_and_maps(tmp_path: Path) -> None:
    conf = _write(tmp_path / "cors.conf", """\
map $http_origin $ok_origin { default ""; "~^https://a\\.example\\.com$" $http_origin; }
server {
    listen 80;
    location /a/ {
        if ($http_origin ~* "^https://(b|c)\\.example\\.com$") { set $cors "on"; }
        if ($cors = "on") { add_header Access-Control-Allow-Origin $http_origin; }
        add_header Access-Control-Allow-Credentials true;
        proxy_pass http://b;
    }
    location /b/ { add_header Access-Control-Allow-Origin $ok_origin; proxy_pass http://b; }
    location /c/ {
        more_set_headers "Access-Control-Allow-Origin: *";
        proxy_pass http://b;
    }
}
""")
    resources = _parse(nginx, conf)
    a = _by(resources, "nginx_location", "/a/").attributes["cors_allow_origin"]
    assert a == [{"written": "$http_origin", "via_map": "", "credentials": True, "directive": "add_header",
                  "condition": ["$cors", "=", "on"],
                  "sets_under_if": [{"condition": ["$http_origin", "~*", "^https://(b|c)\\.example\\.com$"],
                                     "variables": ["$cors"]}]}]
    assert [effective(h) for h in a] == [("$http_origin", True)]  # (value, gated)
    b = _by(resources, "nginx_location", "/b/").attributes["cors_allow_origin"]
    assert effective(b[0])[1] is True and b[0]["via_map"] == "$ok_origin"
    assert b[0]["map"] == {"source": "$http_origin", "variable": "$ok_origin",
                           "entries": [["default", ""], ["~^https://a\\.example\\.com$", "$http_origin"]]}
    c = _by(resources, "nginx_location", "/c/")
    assert effective(c.attributes["cors_allow_origin"][0])[0] == "*"
    _, found = _findings([conf], "nginx-cors-not-wildcard")
    assert {(f.resource.rsplit("(", 1)[1], f.verdict, f.line) for f in found} == {
        ("/a/)", "pass", 4), ("/b/)", "pass", 10), ("/c/)", "fail", 12)}


def test_nginx_inline_waiver_comment(tmp_path: Path) -> None:
    conf = _write(tmp_path / "legacy.conf", """\
# soc2iac:ignore=nginx-tls12 reason="legacy kiosk clients, ticket SEC-12"
server {
    listen 443 ssl;
    ssl_protocols TLSv1 TLSv1.2;
}
""")
    _, found = _findings([conf], "nginx-tls12")
    assert [f.verdict for f in found] == ["excepted"]


def test_nginx_lua_blocks_and_quotes_parse(tmp_path: Path) -> None:
    conf = _write(tmp_path / "openresty.conf", """\
http {
    server {
        listen 8080;
        location / {
            content_by_lua_block {
                local t = { a = "}" }  -- a brace in a string
                ngx.say("{")
            }
        }
        location = "/quoted path" { return 204; }
    }
}
""")
    resources = _parse(nginx, conf)
    assert {r.name for r in resources if r.type == "nginx_location"} == {"/", "= /quoted path"}


@pytest.mark.parametrize("text, line, words", [
    ("server {\n    listen 80;\n    location / {\n        proxy_pass http://b\n    }\n}\n", 5, 'missing ";"'),
    ("http {\n    server {\n        listen 80;\n    }\n", 4, "unexpected end of file"),
    ("server {\n    listen 80;\n}\n}\n", 4, 'unexpected "}"'),
    ("server {\n    listen 80;\n    server_name a\n", 3, "unexpected end of file"),
])
def test_nginx_malformed_gives_input_error_with_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    conf = _write(tmp_path / "bad.conf", text)
    assert nginx.detect(conf, text)
    with pytest.raises(InputError) as info:
        nginx.parse_text(text, "bad.conf", conf)
    assert info.value.problem.line == line
    assert words in info.value.problem.message


def test_nginx_include_cycle_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "a.conf", "server { listen 80; include b.conf; }\n")
    b = _write(tmp_path / "b.conf", "include a.conf;\nlisten 81;\n")
    main = _write(tmp_path / "nginx.conf", "http { include a.conf; }\n")
    del b
    with pytest.raises(InputError, match="cycle"):
        _parse(nginx, main)


def test_nginx_malformed_file_is_a_problem_and_others_still_scanned(tmp_path: Path) -> None:
    _write(tmp_path / "bad" / "nginx.conf", "http {\n  server {\n    listen 80\n  }\n}\n")
    good = _write(tmp_path / "good" / "site.conf", "server {\n  listen 80;\n  access_log off;\n}\n")
    result, found = _findings([tmp_path], "nginx-access-log-enabled")
    assert [(p.file.endswith("bad/nginx.conf"), p.line) for p in result.problems] == [(True, 4)]
    assert [(f.verdict, f.line) for f in found] == [("fail", 3)]
    assert str(good) in " ".join(result.inputs) or any(i.endswith("site.conf") for i in result.inputs)


@pytest.mark.parametrize("name, text", [
    ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"),
    ("docker-compose.conf", "services:\n  web:\n    image: nginx\n"),
    ("app.service.conf", "[Unit]\nDescription=App\n[Service]\nExecStart=/usr/bin/app --listen 80\n"),
    ("kong.conf", "admin_listen = 0.0.0.0:8001\nssl_protocols = TLSv1.2\nproxy_listen = 0.0.0.0:8000\n"),
    ("logstash.conf", "input { beats { port => 5044 } }\noutput { http { url => \"x\" } }\n"),
    ("named.conf", "options { directory \"/var/cache/bind\"; };\nzone \"example.com\" { type master; };\n"),
    ("redis.conf", "bind 127.0.0.1\nport 6379\n"),
])
def test_nginx_detect_rejects_other_files(name: str, text: str) -> None:
    assert not nginx.detect(Path(name), text)


def test_nginx_detects_snippets_and_fragments() -> None:
    assert nginx.detect(Path("ssl-params.conf"), "ssl_protocols TLSv1.2;\nssl_session_timeout 10m;\n")
    assert nginx.detect(Path("default.conf"), "server {\n  listen 80;\n}\n")
    assert nginx.detect(Path("loc.conf"), "location /api/ {\n  proxy_pass http://b;\n}\n")


# -- Traefik -----------------------------------------------------------------------

DYNAMIC_YAML = """\
http:
  routers:
    api:
      rule: Host(`api.example.com`)
      entryPoints: [websecure]
      middlewares: [limit, auth@docker]
      service: api
      tls:
        options: modern
  middlewares:
    limit:
      rateLimit:
        average: 100
    cors:
      headers:
        accessControlAllowOriginList: ["*"]
        accessControlAllowCredentials: true
  services:
    api:
      loadBalancer:
        servers:
          - url: http://10.0.0.1
          - url: http://10.0.0.2
tls:
  options:
    modern:
      minVersion: VersionTLS13
"""

DYNAMIC_TOML = """\
[HTTP.Routers.api]
  Rule = "Host(`api.example.com`)"
  EntryPoints = ["websecure"]
  middlewares = ["limit", "auth@docker"]
  SERVICE = "api"
  [HTTP.Routers.api.TLS]
    Options = "modern"

[http.middlewares.limit.RateLimit]
  average = 100

[http.middlewares.cors.Headers]
  AccessControlAllowOriginList = ["*"]
  accesscontrolallowcredentials = true

[[http.services.api.loadBalancer.servers]]
  url = "http://10.0.0.1"
[[http.services.api.loadBalancer.servers]]
  url = "http://10.0.0.2"

[tls.options.modern]
  minversion = "VersionTLS13"
"""


def test_traefik_yaml_and_toml_give_the_same_resources(tmp_path: Path) -> None:
    y = _parse(traefik, _write(tmp_path / "y" / "dynamic.yaml", DYNAMIC_YAML))
    t = _parse(traefik, _write(tmp_path / "t" / "dynamic.toml", DYNAMIC_TOML))

    def shape(rs: list[Resource]) -> list[tuple[str, str, str]]:
        return sorted((r.type, r.name, repr(sorted(r.attributes.items(), key=lambda kv: kv[0]))) for r in rs)

    assert shape(y) == shape(t)
    assert {(r.type, r.name) for r in y} == {
        ("traefik_router", "api"), ("traefik_middleware", "limit"), ("traefik_middleware", "cors"),
        ("traefik_tls_options", "modern")}


def test_traefik_keys_are_case_insensitive_and_canonical(tmp_path: Path) -> None:
    t = _parse(traefik, _write(tmp_path / "dynamic.toml", DYNAMIC_TOML))
    router = _by(t, "traefik_router", "api")
    assert router.attributes["entryPoints"] == ["websecure"] and router.attributes["service"] == "api"
    assert router.attributes["tls"] == {"options": "modern"}
    cors = _by(t, "traefik_middleware", "cors")
    assert cors.attributes["type"] == "headers"
    assert cors.attributes["headers"] == {"accessControlAllowOriginList": ["*"], "accessControlAllowCredentials": True}
    assert _by(t, "traefik_tls_options", "modern").attributes == {"minVersion": "VersionTLS13"}


def test_traefik_toml_lines(tmp_path: Path) -> None:
    t = _parse(traefik, _write(tmp_path / "dynamic.toml", DYNAMIC_TOML))
    router = _by(t, "traefik_router", "api")
    assert router.location.start_line == 1
    assert router.line_of("middlewares") == 4 and router.line_of("tls.options") == 7
    cors = _by(t, "traefik_middleware", "cors")
    assert cors.line_of("headers.accessControlAllowOriginList[0]") == 13
    lines = traefik.toml_lines(DYNAMIC_TOML)
    assert lines["http.services.api.loadBalancer.servers[1].url"] == 19
    assert lines["tls.options.modern.minversion"] == 22


def test_traefik_yaml_lines(tmp_path: Path) -> None:
    y = _parse(traefik, _write(tmp_path / "dynamic.yaml", DYNAMIC_YAML))
    cors = _by(y, "traefik_middleware", "cors")
    assert cors.location.start_line == 14
    assert cors.line_of("headers.accessControlAllowOriginList[0]") == 16


def test_traefik_middlewares_resolved_through_chains_and_sibling_files(tmp_path: Path) -> None:
    _write(tmp_path / "dyn" / "middlewares.yml", """\
http:
  middlewares:
    secure-chain:
      chain:
        middlewares: [limit-api, sso]
    limit-api:
      rateLimit: {average: 50}
    sso:
      forwardAuth: {address: "http://sso:4181"}
""")
    routers = _write(tmp_path / "dyn" / "routers.yml", """\
http:
  routers:
    app:
      rule: Host(`app.example.com`)
      entryPoints: [websecure]
      middlewares: [secure-chain@file]
      service: app
    other:
      rule: Host(`other.example.com`)
      entryPoints: [websecure]
      middlewares: [unknown-mw@kubernetescrd]
      service: app
""")
    resources = _parse(traefik, routers)
    app = _by(resources, "traefik_router", "app")
    assert app.attributes["middleware_types"] == ["rateLimit", "forwardAuth"]
    assert app.attributes["auth"] == ["forwardAuth"]
    other = _by(resources, "traefik_router", "other")
    assert len(other.attributes["middleware_types"]) == 1 and is_unknown(other.attributes["middleware_types"][0])
    _, found = _findings([routers], "traefik-router-rate-limited")
    assert sorted((f.resource.rsplit(".", 1)[1], f.verdict) for f in found) == [("app", "pass"), ("other", "unknown")]


def test_traefik_entry_point_middlewares_and_tls_from_static_config(tmp_path: Path) -> None:
    _write(tmp_path / "traefik.yml", """\
entryPoints:
  edge:
    address: ":8443"
    http:
      tls: {}
      middlewares: [global-limit@file]
  internal:
    address: ":8081"
accessLog: {}
""")
    dyn = _write(tmp_path / "dynamic" / "dyn.yaml", """\
http:
  routers:
    on-edge:
      rule: PathPrefix(`/`)
      entryPoints: [edge]
      service: s
    on-internal:
      rule: PathPrefix(`/`)
      entryPoints: [internal]
      service: s
  middlewares:
    global-limit:
      rateLimit: {average: 10}
""")
    resources = _parse(traefik, dyn)
    edge = _by(resources, "traefik_router", "on-edge")
    assert edge.attributes["on_tls_entry_point"] is True and edge.attributes["middleware_types"] == ["rateLimit"]
    assert _by(resources, "traefik_router", "on-internal").attributes["on_tls_entry_point"] is False


def test_traefik_empty_sections_enable_features(tmp_path: Path) -> None:
    static = _write(tmp_path / "traefik.yaml", "entryPoints:\n  web:\n    address: ':80'\naccessLog:\napi:\n")
    res = _by(_parse(traefik, static), "traefik_static", "traefik")
    assert res.attributes["accessLog"] == {} and res.attributes["api"] == {}
    _, found = _findings([static], "traefik-access-log-enabled")
    assert [f.verdict for f in found] == ["pass"]


@pytest.mark.parametrize("name, text", [
    ("deploy.yaml", "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: x\n"
                    "spec:\n  rateLimit:\n    average: 1\n"),
    ("docker-compose.yml", "services:\n  traefik:\n    image: traefik:v3\n    command: [--api.insecure=true]\n"
                           "    labels:\n      - traefik.http.routers.x.rule=Host(`x`)\n"),
    ("grafana.yaml", "apiVersion: 1\nproviders:\n  - name: default\n    type: file\n"),
    ("kong.yml", "_format_version: '3.0'\nservices:\n  - name: s\n    url: http://x\n"),
    ("envoy.yaml", "static_resources:\n  listeners: []\nadmin:\n  address: {}\n"),
    ("values.yaml", "http:\n  port: 8080\ntls:\n  enabled: true\n"),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool.pytest.ini_options]\naddopts = '-q'\n"),
    ("fly.toml", "app = 'x'\n[http_service]\n  internal_port = 8080\n[[services]]\n  protocol = 'tcp'\n"),
])
def test_traefik_detect_rejects_other_files(name: str, text: str) -> None:
    assert not traefik.detect(Path(name), text)


def test_traefik_detects_static_and_dynamic_files() -> None:
    assert traefik.detect(Path("traefik.yml"), "entryPoints:\n  web:\n    address: ':80'\n")
    assert traefik.detect(Path("t.yml"), "api:\n  insecure: true\n")
    assert traefik.detect(Path("d.yml"), "# dynamic\nhttp:\n\n  routers:\n    a: {}\n")
    assert traefik.detect(Path("d.yml"), "tls:\n  options:\n    default: {}\n")
    assert traefik.detect(Path("t.toml"), "[EntryPoints.web]\n  address = ':80'\n")
    assert traefik.detect(Path("t.toml"), "[[tls.certificates]]\n  certFile = 'a'\n")
    assert traefik.detect(Path("t.toml"), "[http.middlewares.a.headers]\n  frameDeny = true\n")


@pytest.mark.parametrize("name, text, line", [
    ("bad.toml", "[http.routers.a]\n  rule = \"Host(`a`)\"\n  service = \n", 3),
    ("bad.yaml", "entryPoints:\n  web:\n    address: ':80'\n  websecure: [\n", 5),
    ("two.yaml", "entryPoints:\n  web: {}\n---\nhttp:\n  routers: {}\n", 4),
])
def test_traefik_malformed_gives_input_error_with_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = _write(tmp_path / name, text)
    assert traefik.detect(path, text)
    with pytest.raises(InputError) as info:
        traefik.parse_text(text, name, path)
    assert info.value.problem.line == line


def test_traefik_malformed_is_a_problem_in_a_scan(tmp_path: Path) -> None:
    _write(tmp_path / "traefik.toml", "[api]\n  insecure = true\n  insecure = false\n")
    ok = _write(tmp_path / "other" / "traefik.yml", "api:\n  insecure: true\n")
    result, found = _findings([tmp_path], "traefik-api-not-insecure")
    assert [(p.line, "TOML" in p.message) for p in result.problems] == [(3, True)]
    assert [(f.verdict, f.line, f.file) for f in found] == [("fail", 2, str(ok))]


def test_nginx_template_includes_resolve_from_the_config_folder(tmp_path: Path) -> None:
    """h5bp server-configs-nginx: conf.d/templates/*.conf (and conf.d/.default.conf, which the
    conf.d/*.conf glob skips) are included by no main file, and write `include h5bp/tls/...;`
    relative to nginx's configuration folder, where nginx.conf is; not relative to themselves."""
    _write(tmp_path / "nginx.conf", "http {\n    access_log logs/access.log;\n    include conf.d/*.conf;\n}\n")
    _write(tmp_path / "h5bp/tls/policy_balanced.conf",
           "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;\n")
    template = _write(tmp_path / "conf.d/templates/example.com.conf", """\
server {
    listen 443 ssl;
    server_name example.com;
    include h5bp/tls/policy_balanced.conf;
}
""")
    dot = _write(tmp_path / "conf.d/.default.conf",
                 "server {\n    listen 443 ssl default_server;\n    include h5bp/tls/policy_balanced.conf;\n}\n")
    for conf in (template, dot):
        (server,) = [r for r in _parse(nginx, conf) if r.type == "nginx_server"]
        assert server.attributes["ssl_protocols"] == "TLSv1.2 TLSv1.3"
        assert not server.attributes.get("unresolved_includes")
    _, found = _findings([tmp_path], "nginx-tls12")
    assert sorted(f.verdict for f in found) == ["pass", "pass"]
    # scanned alone, the folder above is outside the scanned tree: never read, the include stays unresolved
    _, alone = _findings([tmp_path / "conf.d" / "templates"], "nginx-tls12")
    assert [f.verdict for f in alone] == ["unknown"]
