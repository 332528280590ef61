"""Fuzzing the gateway parsers (Kong, Envoy, NGINX, Traefik) and the scan of their files.

Inputs:

* the gateway fixtures mutated at byte and token level (flip, insert, delete,
  duplicate, swap lines, truncate), with the tokens of each format: nginx ``{ } ;
  include " $ #``, YAML ``: - { [ & * ---``, TOML ``[[ ]] = "``, JSON, kong.conf;
* structure-aware: decK, Envoy and Traefik documents (the fixtures, as YAML, JSON or
  TOML) with random JSON values put at random paths, keys the parser reads added with
  values of the wrong type, values wrapped in a list or a mapping (type confusion is
  how real configs break, more than syntax).

Properties:

* ``detect`` never raises; ``parse_text`` (the registry's entry point, given the
  file's path as the scanner does) raises nothing but :class:`InputError` (one line,
  naming the file), within a time bound; a good file beside a bad one (a Traefik
  sibling, an NGINX fragment whose main file is bad) still parses;
* a scan of a folder holding one bad gateway file and good files with known findings
  never raises: the bad file is at most one input problem (exit 2, one ``input error``
  line naming it, never a traceback), otherwise exit 1, and the good files keep their
  findings.

Example counts are modest (the module runs in well under 40 s); a long run:
``SOC2IAC_FUZZ_LONG=1 pytest tests/test_fuzz_gateways.py -s`` (or
``--hypothesis-profile=long``) multiplies them and prints the inputs tried.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")

import yaml
from conftest import ROOT
from fuzzing import (
    JSON_VALUES,
    TRIED,
    bounded,
    examples,
    flip_bits,
    json_paths,
    mutated,
    only_input_errors,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from soc2iac.config import Config
from soc2iac.errors import InputError
from soc2iac.model import Resource
from soc2iac.parsers import envoy, kong, nginx, registry, traefik
from soc2iac.policy import load_policies
from soc2iac.scanner import scan

pytestmark = pytest.mark.slow

SECONDS = 10.0  # per parse: inputs are a few KB, so anything near this is a hang or a blow-up


def _fixtures(pattern: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob(pattern))]


def _as_json(texts: list[str]) -> list[str]:
    return [json.dumps(yaml.safe_load(t), indent=2) for t in texts]


NGINX_MAIN = """\
user nginx;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    ssl_protocols TLSv1.2 TLSv1.3;
    map $http_origin $cors { default ""; "~^https://app\\.example\\.com$" $http_origin; }
    include conf.d/*.conf;
    server {
        listen 443 ssl;
        include /etc/nginx/snippets/ssl.conf;
        location / {
            if ($http_origin ~* "^https://app") { set $ok 1; add_header Access-Control-Allow-Origin $cors; }
            limit_req zone=api;
            proxy_pass http://backend;
        }
    }
}
"""
NGINX_FRAGMENT = "server {\n    listen 443 ssl;\n    server_name a.example.com;\n    ssl_protocols TLSv1.2;\n}\n"
NGINX_SNIPPET = "ssl_ciphers HIGH:!aNULL;\nssl_prefer_server_ciphers on;\n"
TRAEFIK_STATIC = """\
entryPoints:
  websecure:
    address: ":443"
    http:
      middlewares: [auth@file, limit]
      tls: {}
http:
  middlewares:
    auth: {basicAuth: {users: ["u:$apr1$x"]}}
    limit: {rateLimit: {average: 10}}
    both: {chain: {middlewares: [auth, limit, both]}}
"""

YAML_TOKENS = [": ", ":", "- ", "-", "{", "}", "[", "]", ",", "&a ", "*a", "<<: *a\n", "---\n", "...\n", "? ", "|",
               ">", "!!int ", "!!float ", "!!bool ", "!!binary ", "!!str ", "!!set ", "!!omap ", "!!map ", "!!seq ", "!tag ", "'", '"', "#", "\t", "\n", "\n  ",
               "\n    - ", "~", "null", "yes", "1e999", ".inf", "0x1F", "2001-12-14", "%YAML 1.1\n", "\ufeff",
               "\u2028", "é", "\\", "{{ x }}", "[" * 40, "{" * 40]
JSON_TOKENS = ["{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "null", "true", "1e999", "-", "NaN", "Infinity",
               '"a": ', "[" * 40, "{" * 40, "\n", " "]
KONG_WORDS = ["_format_version: \"3.0\"\n", "services:\n", "routes:\n", "plugins:\n", "consumers:\n",
              "consumer_groups:\n", "certificates:\n", "upstreams:\n", "keyauth_credentials:\n", "- name: x\n",
              "service: ", "route: ", "consumer: ", "protocols: [grpc]\n", "enabled: false\n", "snis: ",
              "instance_name: ", "{vault://env/x}", "{name: a}", "{id: 1}", "_transform: false\n"]
ENVOY_WORDS = ["static_resources:\n", "staticResources:\n", "listeners:\n", "filterChains:\n", "filter_chains:\n",
               "filters:\n", "http_filters:\n", "typed_config:\n", "typedConfig: ", "\"@type\": ",
               "type.googleapis.com/udpa.type.v1.TypedStruct", "type_url: ", "value: ", "route_config: ",
               "virtual_hosts:\n", "routes:\n", "match: {prefix: /}", "safe_regex: {regex: '(.*'}",
               "typed_per_filter_config:\n", "socket_address: ", "port_value: ", "tls_minimum_protocol_version: 9",
               "filter_enabled: ", "default_value: {numerator: x, denominator: 7}", "rds: {}", "requires_any: ",
               "requirement_name: ", "config_discovery: ", "inline_string: ", "transport_socket: "]
TRAEFIK_WORDS = ["http:\n", "tcp:\n", "routers:\n", "middlewares:\n", "services:\n", "entryPoints:\n", "tls:\n",
                 "options:\n", "chain:\n", "basicAuth:\n", "rateLimit:\n", "accessLog:\n", "api:\n",
                 "insecure: true\n", "x@docker", "x@file", "HTTP:\n", "ROUTERS:\n"]
TOML_TOKENS = ["[[", "]]", "[", "]", "=", " = ", '"', "'", '"""', "'''", ".", "{", "}", ",", "#", "\n", "\\",
               "\\u00", "[http.routers.r]\n", "[http.middlewares.m.chain]\n", "[[tls.certificates]]\n",
               "[entryPoints.web]\n", "[HTTP.Routers.r]\n", "a.b = 1\n", "middlewares = [\"m\", 1]\n",
               "1979-05-27T07:32:00Z", "inf", "nan", "true", "0x", "1_000", "é", "\t", "[" * 40, "{" * 40]
NGINX_TOKENS = ["{", "}", ";", " ", "include ", "include conf.d/*.conf;", "include /etc/nginx/snippets/ssl.conf;",
                "include nginx.conf;", "include site.conf;", "include /nonexistent/*.conf;", '"', "'", "$", "${",
                "$http_origin", "#", "\\", "\n", "server {", "location / {", "location ~ ^/a {", "http {",
                "if ($http_origin ~ x) {", "map $http_origin $c {", "add_header Access-Control-Allow-Origin ",
                "more_set_headers 'Access-Control-Allow-Origin: *';", "listen 443 ssl;", "listen ",
                "ssl_ciphers ", "ssl on;", "proxy_pass http://b;", "types {", "default $http_origin;", "é",
                "\t", "{" * 40, "}" * 40]
CONF_TOKENS = ["=", " = ", "#", "\\#", "\\", "\n", "\\\n", " ", "{vault://env/x}", "{vault://", "admin_listen = ",
               "ssl_cipher_suite = old", "0.0.0.0:8001", " ssl", ",", "é", "\t", "\r\n", "\ufeff"]


@dataclass(frozen=True)
class Format:
    key: str  # TRIED counter name, test id
    module: ModuleType
    name: str  # the file's name
    seeds: tuple[str, ...]
    tokens: tuple[str, ...]


FORMATS = [
    Format("kong-yaml", kong, "kong.yaml", tuple(_fixtures("gateway_fixtures/kong-*/*.yaml")),
           tuple(YAML_TOKENS + KONG_WORDS)),
    Format("kong-json", kong, "kong.json", tuple(_as_json(_fixtures("gateway_fixtures/kong-*/*.yaml"))),
           tuple(JSON_TOKENS + ['"_format_version": "3.0", ', '"plugins": ', '"routes": ', '"service": '])),
    Format("kong-conf", kong, "kong.conf", tuple(_fixtures("gateway_fixtures/kong-*/*.conf")), tuple(CONF_TOKENS)),
    Format("envoy-yaml", envoy, "envoy.yaml", tuple(_fixtures("gateway_fixtures/envoy-*/*.yaml")),
           tuple(YAML_TOKENS + ENVOY_WORDS)),
    Format("envoy-json", envoy, "envoy.json", tuple(_as_json(_fixtures("gateway_fixtures/envoy-*/*.yaml"))),
           tuple(JSON_TOKENS + ['"filterChains": ', '"typed_config": ', '"@type": ', '"routes": '])),
    Format("nginx", nginx, "nginx.conf", tuple(_fixtures("gateway_fixtures/nginx-*/*.conf") + [NGINX_MAIN]),
           tuple(NGINX_TOKENS)),
    Format("nginx-fragment", nginx, "site.conf",
           tuple(_fixtures("gateway_fixtures/nginx-*/pass*.conf") + [NGINX_FRAGMENT, NGINX_SNIPPET]),
           tuple(NGINX_TOKENS)),
    Format("traefik-yaml", traefik, "dynamic.yaml",
           tuple(_fixtures("gateway_fixtures/traefik-*/*.yaml") + [TRAEFIK_STATIC]), tuple(YAML_TOKENS + TRAEFIK_WORDS)),
    Format("traefik-toml", traefik, "dynamic.toml", tuple(_fixtures("gateway_fixtures/traefik-*/*.toml")),
           tuple(TOML_TOKENS)),
]
BY_KEY = {f.key: f for f in FORMATS}


# ---------------------------------------------------------------------------- a folder to parse in

@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder per format, with the files a parse may look at: an NGINX main file's includes,
    a Traefik static configuration beside the dynamic one."""
    root = tmp_path_factory.mktemp("fuzz-gateways")
    for f in FORMATS:
        (root / f.key).mkdir()
    for key in ("nginx", "nginx-fragment"):
        (root / key / "conf.d").mkdir()
        (root / key / "conf.d" / "a.conf").write_text(NGINX_FRAGMENT, encoding="utf-8")
        (root / key / "snippets").mkdir()
        (root / key / "snippets" / "ssl.conf").write_text(NGINX_SNIPPET, encoding="utf-8")
    # a fragment scanned alone is read through the nginx.conf that includes it
    (root / "nginx-fragment" / "nginx.conf").write_text("http {\n    ssl_protocols TLSv1.2;\n    include site.conf;\n}\n",
                                                        encoding="utf-8")
    for key in ("traefik-yaml", "traefik-toml"):
        (root / key / "traefik.yml").write_text(TRAEFIK_STATIC, encoding="utf-8")
    return root


def check_parser(fmt: Format, folder: Path, text: str) -> list[Resource] | None:
    """The registry's view of one file: detection never raises, parsing raises only a
    one-line InputError naming the file, in bounded time."""
    path = folder / fmt.name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    # the parsers cache files read as context by (name, mtime, size): a rewrite within one
    # clock tick could be missed, and a main nginx.conf's cache does not see its includes change
    nginx._load_main_cached.cache_clear()
    traefik._quiet_load_cached.cache_clear()
    shown = str(path)
    with bounded(SECONDS):
        for entry in registry.ENTRIES:  # every content-detected format's detector
            if entry.suffixes and not entry.grouped:
                entry.parser().detect(path, text)
    # an error in a file an nginx config includes (or in the include closing a cycle) names that file
    named = (lambda f: f.startswith(str(folder))) if fmt.module is nginx else None
    resources = only_input_errors(lambda: fmt.module.parse_text(text, shown, path), shown, seconds=SECONDS,
                                  named=named)
    for r in resources or ():
        assert isinstance(r, Resource) and r.location.start_line >= 0, r
    return resources


def _parse_beside(fmt: Format, folder: Path) -> None:
    """The good file of the folder, which reads the fuzzed one as context, never fails."""
    if fmt.key.startswith("traefik"):
        good = folder / "traefik.yml"
        traefik.parse_text(good.read_text(encoding="utf-8"), str(good), good)
    elif fmt.key == "nginx":
        good = folder / "conf.d" / "a.conf"
        nginx.parse_text(good.read_text(encoding="utf-8"), str(good), good)


@pytest.mark.parametrize("key", [f.key for f in FORMATS])
def test_gateway_parser_mutated(key: str, work: Path) -> None:
    fmt = BY_KEY[key]

    @settings(max_examples=examples(200))
    @given(mutated(fmt.seeds, fmt.tokens))
    def run(text: str) -> None:
        TRIED[f"parse-{key}"] += 1
        check_parser(fmt, work / key, text)
        with bounded(SECONDS):
            _parse_beside(fmt, work / key)

    run()


# ---------------------------------------------------------------------------- type confusion

def _vocabulary(module: ModuleType, seeds: tuple[str, ...]) -> list[str]:
    """Keys the parser reads (its string literals that look like keys) and keys of the seeds."""
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    words = set(re.findall(r"""["']([A-Za-z_@][A-Za-z0-9_@]*)["']""", source))
    for seed in seeds:
        for doc in yaml.safe_load_all(seed):
            words.update(str(p[-1]) for p in json_paths(doc) if p and isinstance(p[-1], str))
    return sorted(words)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _camel_all(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel(str(k)): _camel_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_all(v) for v in value]
    return value


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return doc


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _retype(value: Any) -> Any:
    """The same content with another JSON type: "8080" <-> 8080, a mapping <-> a list of pairs, ..."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return int(value) if value.isdigit() else [value]
    if isinstance(value, dict):
        return [[k, v] for k, v in value.items()]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


def confuse(doc: Any, ops: list[tuple[int, int, Any, str]]) -> Any:
    """Apply type-confusing edits to a JSON-like document."""
    for kind, pick, drawn, word in ops:
        value = copy.deepcopy(drawn)  # never one object at two places
        paths = json_paths(doc)
        path = paths[pick % len(paths)] if kind in (0, 2, 3, 5) else ()
        if kind == 0:  # any value (the document itself, rarely) replaced by any JSON value
            doc = _set(doc, path, value)
        elif kind == 1:  # a key the parser reads, with a random value, in a random mapping
            maps = [p for p in paths if isinstance(_get(doc, p), dict)]
            if maps:
                _get(doc, maps[pick % len(maps)])[word] = value
        elif kind == 2 and path:  # a list where a single value is expected
            doc = _set(doc, path, [_get(doc, path)])
        elif kind == 3 and path:  # a mapping where a value is expected
            doc = _set(doc, path, {word: _get(doc, path)})
        elif kind == 4:  # a random item added to a list
            lists = [p for p in paths if isinstance(_get(doc, p), list)]
            if lists:
                _get(doc, lists[pick % len(lists)]).append(value)
        elif kind == 5 and path:  # the same content, another type
            doc = _set(doc, path, _retype(_get(doc, path)))
    return doc


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if _BARE.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(value, repr(value))
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_inline(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in value.items() if v is not None) + "}"
    return '""'


def toml_dump(doc: Any) -> str:
    """TOML with tables and arrays of tables (no null in TOML: None is left out)."""
    if not isinstance(doc, dict):
        return f"value = {_toml_inline(doc)}\n"
    out: list[str] = []

    def table(d: dict[str, Any], prefix: list[str], header: str) -> None:
        plain = [(k, v) for k, v in d.items() if v is not None and not isinstance(v, dict) and not _tables(v)]
        if prefix:
            out.append(header)
        for k, v in plain:
            out.append(f"{_toml_key(k)} = {_toml_inline(v)}")
        for k, v in d.items():
            name = ".".join(_toml_key(p) for p in [*prefix, k])
            if isinstance(v, dict):
                table(v, [*prefix, k], f"[{name}]")
            elif _tables(v):
                for item in v:
                    table(item, [*prefix, k], f"[[{name}]]")

    table(doc, [], "")
    return "\n".join(out) + "\n"


def _tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


STRUCTURED = {  # format -> (seed documents, the parser's vocabulary)
    key: ([d for s in BY_KEY[key].seeds for d in yaml.safe_load_all(s) if isinstance(d, dict)],
          _vocabulary(BY_KEY[key].module, BY_KEY[key].seeds))
    for key in ("kong-yaml", "envoy-yaml", "traefik-yaml")
}
STRUCTURED["traefik-toml"] = ([traefik.load(s, "t.toml", ".toml")[0] for s in BY_KEY["traefik-toml"].seeds],
                              STRUCTURED["traefik-yaml"][1])


def _dump(key: str, doc: Any, as_json: bool) -> tuple[str, str]:
    """(format key, text) of a confused document."""
    if key == "traefik-toml":
        return key, toml_dump(doc)
    if as_json and key != "traefik-yaml":
        return key.replace("yaml", "json"), json.dumps(doc, indent=2)
    return key, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def confused(key: str) -> st.SearchStrategy[tuple[str, str]]:
    docs, words = STRUCTURED[key]
    op = st.tuples(st.integers(0, 5), st.integers(0, 1 << 16), JSON_VALUES, st.sampled_from(words))

    def build(index: int, ops: list[tuple[int, int, Any, str]], as_json: bool, camel: bool) -> tuple[str, str]:
        doc = json.loads(json.dumps(docs[index % len(docs)]))  # a deep copy
        doc = confuse(doc, ops)
        if camel and key.startswith("envoy"):
            doc = _camel_all(doc)
        return _dump(key, doc, as_json)

    return st.builds(build, st.integers(0, 1 << 16), st.lists(op, min_size=1, max_size=5), st.booleans(),
                     st.booleans())


@pytest.mark.parametrize("key", sorted(STRUCTURED))
def test_gateway_parser_type_confusion(key: str, work: Path) -> None:
    @settings(max_examples=examples(200))
    @given(confused(key))
    def run(case: tuple[str, str]) -> None:
        fmt_key, text = case
        TRIED[f"confuse-{fmt_key}"] += 1
        check_parser(BY_KEY[fmt_key], work / fmt_key, text)
        with bounded(SECONDS):
            _parse_beside(BY_KEY[fmt_key], work / fmt_key)

    run()


# ---------------------------------------------------------------------------- whole scans

GOOD = {  # product -> (fixture with known failures, a policy it fails)
    "kong": ("kong-route-authentication-required/fail.yaml", "kong-route-authentication-required"),
    "envoy": ("envoy-listener-tls-enabled/fail.yaml", "envoy-listener-tls-enabled"),
    "nginx": ("nginx-tls12/fail.conf", "nginx-tls12"),
    "traefik": ("traefik-tls-min-version/fail.yaml", "traefik-tls-min-version"),
}
_POLICIES: list[Any] = []


def policies() -> list[Any]:
    if not _POLICIES:
        _POLICIES.extend(load_policies([]))
    return _POLICIES


@dataclass
class Tree:
    root: Path
    bad: str  # as shown, relative to root
    good: dict[str, str]  # shown -> policy id it fails


@contextlib.contextmanager
def bad_beside_good(fmt: Format, data: bytes) -> Iterator[Tree]:
    """A folder with ``bad/<file>`` and ``good/`` (a file of the same product with known
    failures), as the working directory."""
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        product = fmt.key.split("-")[0]
        fixture, policy = GOOD[product]
        (root / "good").mkdir()
        good = f"good/{product}{Path(fixture).suffix}"
        (root / good).write_bytes((ROOT / "gateway_fixtures" / fixture).read_bytes())
        (root / "bad").mkdir()
        (root / "bad" / fmt.name).write_bytes(data)
        os.chdir(root)
        try:
            yield Tree(root, f"bad/{fmt.name}", {good: policy})
        finally:
            os.chdir(cwd)


def any_gateway_file() -> st.SearchStrategy[tuple[str, str]]:
    """(format key, text): a mutated fixture of any format, or a type-confused document."""
    by_bytes = st.sampled_from(list(BY_KEY)).flatmap(
        lambda k: st.tuples(st.just(k), mutated(BY_KEY[k].seeds, BY_KEY[k].tokens)))
    return by_bytes | st.sampled_from(sorted(STRUCTURED)).flatmap(confused)


@settings(max_examples=examples(150))
@given(any_gateway_file(), st.lists(st.integers(0, 1 << 20), max_size=2))
def test_scan_bad_gateway_file_beside_good(case: tuple[str, str], flips: list[int]) -> None:
    fmt, text = BY_KEY[case[0]], case[1]
    TRIED["scan-gateway"] += 1
    with bad_beside_good(fmt, flip_bits(text, flips)) as tree:
        result = scan(["good", "bad"], policies=policies(), config=Config())
    assert all(p.file == tree.bad and len(str(p).splitlines()) == 1 for p in result.problems), result.problems
    assert len(result.problems) <= 1, result.problems
    assert not any("internal error" in p.message or "nested too deeply to read" in p.message
                   for p in result.problems), result.problems
    for good, policy in tree.good.items():
        assert any(f.policy_id == policy and f.verdict == "fail" and f.file == good
                                    for f in result.findings), good


@settings(max_examples=examples(40))
@given(any_gateway_file())
def test_cli_bad_gateway_file_is_one_line_and_exit_2(case: tuple[str, str]) -> None:
    """The command line: exit 2 exactly when the bad file is an input problem (one line naming
    it, no traceback), else 1 (the good file fails a check); the good file's findings are in
    the JSON report."""
    from typer.testing import CliRunner

    from soc2iac.cli import app

    fmt, text = BY_KEY[case[0]], case[1]
    TRIED["cli-gateway"] += 1
    with bad_beside_good(fmt, text.encode("utf-8", "surrogatepass")) as tree:
        proc = CliRunner().invoke(app, ["scan", "good", "bad", "-f", "json", "-o", "r.json"], catch_exceptions=False)
        doc = json.loads((tree.root / "r.json").read_text(encoding="utf-8"))
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith(f"soc2iac: input error: {tree.bad}")]
    assert len(errors) == len(doc["problems"]) <= 1 and len(proc.stderr.splitlines()) == len(errors), proc.stderr
    assert "Traceback" not in proc.output and "internal error" not in proc.stderr, proc.stderr
    assert proc.exit_code == (2 if doc["problems"] else 1), (proc.exit_code, proc.stderr)
    for good, policy in tree.good.items():
        assert any(f["policy_id"] == policy and f["file"] == good and f["verdict"] == "fail"
                                    for f in doc["findings"]), good


# ---------------------------------------------------------------------------- crashes found (regressions)


@pytest.mark.parametrize("fixture, policy", [
    ("kong-route-authentication-required/fail.yaml", "kong-route-authentication-required"),
    ("envoy-listener-tls-enabled/fail.yaml", "envoy-listener-tls-enabled"),
], ids=["kong", "envoy"])
def test_same_gateway_resource_in_two_files_keeps_both_findings(fixture: str, policy: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by fuzzing (a mutated copy of the good file beside it): prod/ and staging/ holding
    the same decK file or Envoy bootstrap; the second file's routes and listeners were dropped
    as duplicates, so its failures were never reported (a false pass)."""
    for env in ("prod", "staging"):
        (tmp_path / env).mkdir()
        (tmp_path / env / Path(fixture).name).write_bytes((ROOT / "gateway_fixtures" / fixture).read_bytes())
    monkeypatch.chdir(tmp_path)
    result = scan(["prod", "staging"], policies=policies(), config=Config())
    failing = {f.file for f in result.findings if f.policy_id == policy and f.verdict == "fail"}
    assert failing == {f"prod/{Path(fixture).name}", f"staging/{Path(fixture).name}"}


def _input_error(module: ModuleType, name: str, text: str, tmp_path: Path) -> InputError:
    """The InputError ``module`` raises for ``text`` (as the file ``name``), checked to be one line."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        module.parse_text(text, name, path)
    problem = caught.value.problem
    assert problem.file == name and len(str(problem).splitlines()) == 1, str(problem)
    return caught.value


def test_nginx_token_with_a_line_break_before_a_brace_is_one_line(tmp_path: Path) -> None:
    """Found by fuzzing: ``\\`` at the end of a line makes crossplane's token hold the line
    break, and the "missing ;" message quoted it raw (two lines on the command line)."""
    text = 'http {\n    map $http_origin $c {\n        default "";\n        "~^https://a" $http_origin;\\\n    }\n}\n'
    exc = _input_error(nginx, "nginx.conf", text, tmp_path)
    assert exc.problem.line == 5 and 'missing ";" after "\\\\n"' in exc.problem.message


def test_nginx_quoted_token_spanning_lines_at_end_of_file_is_one_line(tmp_path: Path) -> None:
    """Found by fuzzing: a directive not terminated at the end of the file, whose name is a quoted
    string spanning lines."""
    exc = _input_error(nginx, "site.conf", 'events {}\n"~^https://a\\.example\n.com" $cors\n', tmp_path)
    assert exc.problem.line == 2 and 'expecting ";" or "}" after "~^https://a\\.example\\n.com"' in exc.problem.message


@pytest.mark.parametrize("text, line", [
    ('events {}\n    "~^https://(app|admin)\\.example\n    map $a $b {\n', 1),
    # the second server (TLSv1: a failing check) vanished
    ('server { listen 443 ssl; ssl_protocols TLSv1.2; }\n"\nserver { listen 8443 ssl; ssl_protocols TLSv1; }\n', 1),
    ("server { listen 80; }\nserver_tokens", 2),
])
def test_nginx_text_the_lexer_drops_at_the_end_is_an_error(text: str, line: int, tmp_path: Path) -> None:
    """Found by fuzzing: crossplane's lexer silently drops a quoted string left open at the end
    of the file (with everything after its opening quote) and a last token not followed by
    whitespace: the file parsed as if that text were not there. nginx rejects both."""
    exc = _input_error(nginx, "site.conf", text, tmp_path)
    assert exc.problem.line == line and "unexpected end of file" in exc.problem.message


def test_envoy_type_error_under_a_key_with_a_line_break_is_one_line(tmp_path: Path) -> None:
    """Found by fuzzing: the path in "... must be a mapping" holds the user's keys verbatim."""
    text = json.dumps({"static_resources": {"listeners": [{"a\u2028b": {"typed_config": -1}}]}})
    exc = _input_error(envoy, "envoy.json", text, tmp_path)
    assert "a\\u2028b.typed_config must be a mapping" in exc.problem.message


def test_kong_entity_list_under_a_key_with_a_line_break_is_one_line(tmp_path: Path) -> None:
    """The same in Kong: any top-level list is an entity collection, named in its type errors."""
    exc = _input_error(kong, "kong.yaml", '_format_version: "3.0"\n"key\\nvaults": [1]\n', tmp_path)
    assert exc.problem.message == "Kong declarative config: key\\nvaults[0] must be a mapping"


@pytest.mark.parametrize("scalar", ["!!int x", "!!int", "!!float x", "!!bool x"])
@pytest.mark.parametrize("module, name, text", [
    (kong, "kong.yaml", '_format_version: "3.0"\nservices:\n  - name: {}\n'),
    (envoy, "envoy.yaml", "static_resources:\n  listeners:\n    - name: {}\n"),
    (traefik, "traefik.yaml", "http:\n  routers:\n    r:\n      rule: {}\n"),
], ids=["kong", "envoy", "traefik"])
def test_yaml_typed_scalar_that_does_not_convert(module: ModuleType, name: str, text: str, scalar: str,
                                                tmp_path: Path) -> None:
    """Found by fuzzing: ``!!int x`` (also ``!!float``, ``!!bool``, an empty ``!!int``) made PyYAML's
    constructor raise ValueError/KeyError/IndexError, which the YAML loader lets through: an
    "internal error" in a scan instead of an input error (Kubernetes manifests too)."""
    text = text.replace("{}", scalar)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    only_input_errors(lambda: module.parse_text(text, name, path), name)
