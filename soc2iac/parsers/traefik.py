"""Traefik static and dynamic configuration (YAML or TOML) -> resources.

Traefik matches configuration keys without regard to case (``[HTTP.Routers]`` is
``http.routers``), so keys are normalized to the documented lowerCamelCase
(``entryPoints``, ``accessLog``, ``accessControlAllowOriginList``); names the user
chooses (routers, middlewares, entry points, TLS options) keep their spelling.

Resources:

- ``traefik_static``: the static configuration of a file (entryPoints, api,
  accessLog, log, providers, certificatesResolvers, ...); a YAML ``accessLog:`` or
  ``api:`` without a value is an enabled section (``{}``);
- ``traefik_router``: each ``http.routers``/``tcp.routers`` entry, with
  ``protocol``, ``middleware_types`` (the types of its middlewares, chains expanded;
  *unknown* for a middleware defined outside the scanned files, e.g. ``@docker``),
  ``on_tls_entry_point`` and ``auth`` (its authentication middleware types);
- ``traefik_middleware``: each ``http.middlewares`` entry with its ``type``;
- ``traefik_tls_options``: each ``tls.options`` entry.

Middlewares are resolved within the file and the other Traefik files of its folder
(the file provider's ``directory``); entry-point middlewares and TLS come from a
static configuration (``traefik.yml``/``.yaml``/``.toml``) in the folder or the one
above. TOML line numbers are found by reading the text (tables and keys; values
spanning lines are skipped), best effort.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, Unknown, join_path
from soc2iac.parsers import HUGE_INT, comment_markers, huge_int, read_source

SOURCE = "traefik"
SUFFIXES = (".yaml", ".yml", ".toml")

Schema = Any  # dict of canonical fields | ("named", Schema) | ("list", Schema) | None (opaque)

# -- the configuration's shape (canonical key spellings) ------------------------------

_TLS_DOMAIN = {"main": None, "sans": None}
_ROUTER_TLS = {"options": None, "certResolver": None, "domains": ("list", _TLS_DOMAIN), "passthrough": None}
_ENTRY_POINT = {
    "address": None, "asDefault": None, "allowACMEByPass": None, "reusePort": None,
    "transport": {"lifeCycle": {"requestAcceptGraceTimeout": None, "graceTimeOut": None},
                  "respondingTimeouts": {"readTimeout": None, "writeTimeout": None, "idleTimeout": None},
                  "keepAliveMaxRequests": None, "keepAliveMaxTime": None},
    "proxyProtocol": {"insecure": None, "trustedIPs": None},
    "forwardedHeaders": {"insecure": None, "trustedIPs": None, "connection": None},
    "http": {"redirections": {"entryPoint": {"to": None, "scheme": None, "permanent": None, "priority": None}},
             "middlewares": None, "tls": _ROUTER_TLS, "encodeQuotedSlashes": None, "maxHeaderBytes": None,
             "sanitizePath": None},
    "http2": {"maxConcurrentStreams": None}, "http3": {"advertisedPort": None}, "udp": {"timeout": None},
    "observability": {"accessLogs": None, "tracing": None, "metrics": None},
}
_DOCKER = {"exposedByDefault": None, "endpoint": None, "network": None, "defaultRule": None, "watch": None,
           "constraints": None, "useBindPortIP": None, "allowEmptyServices": None, "tls": None,
           "swarmMode": None, "httpClientTimeout": None, "password": None, "username": None}
_STATIC: dict[str, Schema] = {
    "global": {"checkNewVersion": None, "sendAnonymousUsage": None},
    "serversTransport": {"insecureSkipVerify": None, "rootCAs": None, "maxIdleConnsPerHost": None,
                         "forwardingTimeouts": None, "spiffe": None},
    "tcpServersTransport": None,
    "entryPoints": ("named", _ENTRY_POINT),
    "providers": {"providersThrottleDuration": None, "docker": _DOCKER, "swarm": _DOCKER,
                  "file": {"directory": None, "filename": None, "watch": None, "debugLogGeneratedTemplate": None},
                  "kubernetesIngress": None, "kubernetesCRD": None, "kubernetesGateway": None,
                  "rest": {"insecure": None}, "consulCatalog": None, "nomad": None, "ecs": None, "consul": None,
                  "etcd": None, "zooKeeper": None, "redis": None, "http": None, "plugin": None},
    "api": {"insecure": None, "dashboard": None, "debug": None, "basePath": None, "disableDashboardAd": None},
    "metrics": None,
    "ping": {"entryPoint": None, "manualRouting": None, "terminatingStatusCode": None},
    "log": {"level": None, "filePath": None, "format": None, "noColor": None, "maxSize": None,
            "maxAge": None, "maxBackups": None, "compress": None},
    "accessLog": {"filePath": None, "format": None, "bufferingSize": None, "addInternals": None,
                  "filters": {"statusCodes": None, "retryAttempts": None, "minDuration": None},
                  "fields": {"defaultMode": None, "names": None,
                             "headers": {"defaultMode": None, "names": None}}},
    "tracing": None, "hostResolver": None,
    "certificatesResolvers": ("named", {
        "acme": {"email": None, "caServer": None, "storage": None, "keyType": None, "certificatesDuration": None,
                 "eab": {"kid": None, "hmacEncoded": None}, "httpChallenge": {"entryPoint": None},
                 "tlsChallenge": None,
                 "dnsChallenge": {"provider": None, "resolvers": None, "delayBeforeCheck": None,
                                  "disablePropagationCheck": None}},
        "tailscale": None}),
    "experimental": None, "pilot": None, "spiffe": None, "core": None, "ocsp": None,
}
_AUTH_USERS = {"users": None, "usersFile": None, "realm": None, "removeHeader": None, "headerField": None}
_IP_STRATEGY = {"depth": None, "excludedIPs": None, "ipv6Subnet": None}
_SOURCE_CRITERION = {"ipStrategy": _IP_STRATEGY, "requestHeaderName": None, "requestHost": None}
_HEADERS = {name: None for name in (
    "customRequestHeaders", "customResponseHeaders", "accessControlAllowCredentials",
    "accessControlAllowHeaders", "accessControlAllowMethods", "accessControlAllowOriginList",
    "accessControlAllowOriginListRegex", "accessControlExposeHeaders", "accessControlMaxAge", "addVaryHeader",
    "allowedHosts", "hostsProxyHeaders", "sslProxyHeaders", "stsSeconds", "stsIncludeSubdomains", "stsPreload",
    "forceSTSHeader", "frameDeny", "customFrameOptionsValue", "contentTypeNosniff", "browserXssFilter",
    "customBrowserXSSValue", "contentSecurityPolicy", "contentSecurityPolicyReportOnly", "publicKey",
    "referrerPolicy", "permissionsPolicy", "featurePolicy", "isDevelopment", "sslRedirect",
    "sslTemporaryRedirect", "sslHost", "sslForceHost")}
_MIDDLEWARE: dict[str, Schema] = {
    "addPrefix": {"prefix": None},
    "basicAuth": _AUTH_USERS, "digestAuth": _AUTH_USERS,
    "forwardAuth": {"address": None, "trustForwardHeader": None, "authResponseHeaders": None,
                    "authResponseHeadersRegex": None, "authRequestHeaders": None, "addAuthCookiesToResponse": None,
                    "headerField": None, "forwardBody": None, "maxBodySize": None, "preserveLocationHeader": None,
                    "tls": {"ca": None, "cert": None, "key": None, "insecureSkipVerify": None, "caOptional": None}},
    "buffering": None, "chain": {"middlewares": None}, "circuitBreaker": None, "compress": None,
    "contentType": None, "errors": None, "headers": _HEADERS,
    "ipAllowList": {"sourceRange": None, "ipStrategy": _IP_STRATEGY, "rejectStatusCode": None},
    "ipWhiteList": {"sourceRange": None, "ipStrategy": _IP_STRATEGY},
    "inFlightReq": {"amount": None, "sourceCriterion": _SOURCE_CRITERION},
    "passTLSClientCert": None,
    "rateLimit": {"average": None, "period": None, "burst": None, "sourceCriterion": _SOURCE_CRITERION,
                  "redis": None},
    "redirectRegex": None, "redirectScheme": {"scheme": None, "permanent": None, "port": None},
    "replacePath": None, "replacePathRegex": None, "retry": None, "stripPrefix": None, "stripPrefixRegex": None,
    "grpcWeb": None, "plugin": None,
}
_ROUTER = {"entryPoints": None, "middlewares": None, "service": None, "rule": None, "ruleSyntax": None,
           "priority": None, "tls": _ROUTER_TLS, "observability": None}
_SERVICE = {"loadBalancer": {"servers": ("list", {"url": None, "address": None, "weight": None,
                                                  "preservePath": None}),
                             "sticky": None, "healthCheck": None, "passHostHeader": None,
                             "serversTransport": None, "responseForwarding": None, "strategy": None},
            "weighted": None, "mirroring": None, "failover": None}
_TLS_OPTIONS = {"minVersion": None, "maxVersion": None, "cipherSuites": None, "curvePreferences": None,
                "clientAuth": {"caFiles": None, "clientAuthType": None}, "sniStrict": None, "alpnProtocols": None,
                "preferServerCipherSuites": None, "disableSessionTickets": None}
_DYNAMIC: dict[str, Schema] = {
    "http": {"routers": ("named", _ROUTER), "services": ("named", _SERVICE), "middlewares": ("named", _MIDDLEWARE),
             "serversTransports": ("named", None)},
    "tcp": {"routers": ("named", _ROUTER), "services": ("named", None), "middlewares": ("named", None),
            "serversTransports": ("named", None)},
    "udp": None,
    "tls": {"options": ("named", _TLS_OPTIONS),
            "certificates": ("list", {"certFile": None, "keyFile": None, "stores": None}),
            "stores": ("named", None)},
}
_TOP: dict[str, Schema] = {**_STATIC, **_DYNAMIC}
AUTH_TYPES = ("basicAuth", "digestAuth", "forwardAuth")
_ENABLE_WHEN_EMPTY = ("accessLog", "api", "ping", "metrics", "tracing", "log")

# -- detection ------------------------------------------------------------------------

_YAML_HINT = re.compile(
    r"^[\"']?(entryPoints|providers|accessLog|certificatesResolvers)[\"']?[ \t]*:"
    r"|^[\"']?(http|tcp)[\"']?[ \t]*:[ \t]*(#.*)?\n(?:[ \t]*(#.*)?\n)*[ \t]+[\"']?(routers|middlewares|services)[\"']?[ \t]*:"
    r"|^[\"']?tls[\"']?[ \t]*:[ \t]*(#.*)?\n(?:[ \t]*(#.*)?\n)*[ \t]+[\"']?(options|certificates|stores)[\"']?[ \t]*:"
    r"|^[\"']?api[\"']?[ \t]*:[ \t]*(#.*)?\n(?:[ \t]*(#.*)?\n)*[ \t]+[\"']?(insecure|dashboard|debug)[\"']?[ \t]*:",
    re.MULTILINE | re.IGNORECASE)
_TOML_HINT = re.compile(
    r"^[ \t]*\[{1,2}[ \t]*(entryPoints|providers|accessLog|certificatesResolvers|api|"
    r"(http|tcp)\.(routers|middlewares|services)|tls\.(options|certificates|stores))\b"
    r"|^[ \t]*(entryPoints|providers|accessLog|api|http\.(routers|middlewares|services)|tls\.options)\.[\w\"'-]",
    re.MULTILINE | re.IGNORECASE)


def detect(path: Path, text: str) -> bool:
    if path.suffix.lower() == ".toml":
        return bool(_TOML_HINT.search(text))
    if re.search(r"^[\"']?(apiVersion|kind|_format_version|static_resources)[\"']?[ \t]*:", text, re.MULTILINE):
        return False  # Kubernetes manifests, Kong declarative config, Envoy bootstrap
    return bool(_YAML_HINT.search(text))


# -- reading -----------------------------------------------------------------------


def load(text: str, shown: str, suffix: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The normalized configuration of a file and its path -> line map."""
    if suffix == ".toml":
        raw, raw_lines = _load_toml(text, shown)
    else:
        raw, raw_lines = _load_yaml(text, shown)
    lines: dict[str, int] = {}
    value = _normalize(raw, _TOP, "", "", raw_lines, lines)
    if not isinstance(value, dict):
        raise InputError(shown, "not a Traefik configuration (the top level is not a mapping)")
    for key in _ENABLE_WHEN_EMPTY:
        if key in value and value[key] is None:
            value[key] = {}
    return value, lines


def _load_yaml(text: str, shown: str) -> tuple[Any, dict[str, int]]:
    from soc2iac.parsers.kubernetes import parse_documents

    docs = [(v, ln) for v, ln in parse_documents(text, shown) if v is not None]
    if not docs:
        return {}, {}
    if len(docs) > 1:
        raise InputError(shown, "a Traefik configuration file holds one YAML document, not several",
                         line=min(docs[1][1].values(), default=0))
    return docs[0]


def _load_toml(text: str, shown: str) -> tuple[Any, dict[str, int]]:
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InputError(shown, f"invalid TOML: {msg}", line=int(m.group(1)) if m else 0) from None
    except RecursionError:
        raise InputError(shown, "invalid TOML: nested too deeply") from None
    except ValueError as exc:
        if not huge_int(exc):
            raise
        raise InputError(shown, f"invalid TOML: {HUGE_INT}") from None
    return value, toml_lines(text)


def _canonical(schema: Schema, key: str) -> tuple[str, Schema]:
    if isinstance(schema, dict):
        lowered = key.lower()
        for name, sub in schema.items():
            if name.lower() == lowered:
                return name, sub
    return key, None


def _normalize(value: Any, schema: Schema, raw_path: str, path: str, raw_lines: Mapping[str, int],
               lines: dict[str, int]) -> Any:
    if raw_path in raw_lines and path:
        lines.setdefault(path, raw_lines[raw_path])
    if schema is None:  # opaque: keep as written, with its lines
        prefix = raw_path
        for rp, ln in raw_lines.items():
            if prefix and (rp.startswith(prefix + ".") or rp.startswith(prefix + "[")):
                lines.setdefault(path + rp[len(prefix):], ln)
        return value
    if isinstance(schema, tuple) and schema[0] == "list":
        if not isinstance(value, list):
            return value
        return [_normalize(v, schema[1], join_path(raw_path, i), join_path(path, i), raw_lines, lines)
                for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        key = str(key)
        if isinstance(schema, tuple):  # named entries: the user's names kept
            name, sub = key, schema[1]
        else:
            name, sub = _canonical(schema, key)
        child = _normalize(item, sub, join_path(raw_path, key), join_path(path, name), raw_lines, lines)
        if name in out and isinstance(out[name], dict) and isinstance(child, dict):
            out[name] = _merge(out[name], child)  # [entryPoints] and [entrypoints.web]: one table
        else:
            out[name] = child
    return out


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


# -- TOML lines (best effort) ------------------------------------------------------

_KEY_PART = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*')


def _key_parts(text: str) -> tuple[list[str], str] | None:
    """Dotted key at the start of ``text`` -> (parts, rest)."""
    parts: list[str] = []
    pos = 0
    while True:
        m = _KEY_PART.match(text, pos)
        if not m or m.end() == pos:
            return None
        parts.append(m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None else m.group(3))
        pos = m.end()
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return parts, text[pos:]


def toml_lines(text: str) -> dict[str, int]:
    """Path (``a.b[0].c``) -> line of its table header or key, read from the text."""
    lines: dict[str, int] = {}
    table: list[str | int] = []
    counters: dict[str, int] = {}
    depth = 0  # open brackets of a value spanning lines
    in_string = ""  # an open multi-line string delimiter
    for lineno, line in enumerate(text.splitlines(), 1):
        if in_string or depth:
            in_string, depth = _scan_value(line, in_string, depth)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            array = stripped.startswith("[[")
            inner = stripped[2:] if array else stripped[1:]
            parsed = _key_parts(inner)
            if parsed is None:
                continue
            parts, _ = parsed
            resolved: list[str | int] = []
            for idx, part in enumerate(parts):
                resolved.append(part)
                key = _path(resolved)
                if key in counters and not (array and idx == len(parts) - 1):
                    resolved.append(counters[key])  # into the latest table of that array
            if array:
                key = _path(resolved)
                counters[key] = counters.get(key, -1) + 1
                resolved.append(counters[key])
            table = resolved
            for i in range(1, len(table) + 1):
                lines.setdefault(_path(table[:i]), lineno)
            continue
        parsed = _key_parts(line)
        if parsed is None or not parsed[1].lstrip().startswith("="):
            continue
        parts, rest = parsed
        full: list[str | int] = [*table, *parts]
        for i in range(len(table) + 1, len(full) + 1):
            lines.setdefault(_path(full[:i]), lineno)
        in_string, depth = _scan_value(rest.lstrip()[1:], "", 0)
    return lines


def _path(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out = join_path(out, p)
    return out


def _scan_value(text: str, in_string: str, depth: int) -> tuple[str, int]:
    """Follow strings and brackets through ``text``; what is still open at its end."""
    i = 0
    while i < len(text):
        if in_string:
            if text.startswith(in_string, i) and (in_string != '"""' or text[i - 1:i] != "\\"):
                i += len(in_string)
                in_string = ""
                continue
            i += 2 if in_string == '"""' and text[i] == "\\" else 1
            continue
        ch = text[i]
        if text.startswith('"""', i) or text.startswith("'''", i):
            in_string = text[i:i + 3]
            i += 3
            continue
        if ch in "\"'":
            end = i + 1
            while end < len(text) and text[end] != ch:
                end += 2 if ch == '"' and text[end] == "\\" else 1
            i = end + 1
            continue
        if ch == "#":
            break
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return in_string, depth


# -- resources ----------------------------------------------------------------------


def parse_text(text: str, shown: str, path: Path | None = None) -> list[Resource]:
    suffix = path.suffix.lower() if path is not None else (".toml" if shown.endswith(".toml") else ".yaml")
    config, lines = load(text, shown, suffix)
    context = _Context.around(path, config) if path is not None else _Context({}, None)
    context.add_middlewares(config, shown)
    file_lines = text.splitlines()
    out: list[Resource] = []

    def emit(rtype: str, name: str, address: str, attrs: dict[str, Any], prefix: str,
             extra: Mapping[str, str] | None = None) -> None:
        if prefix:
            sub = _sub_lines(lines, prefix)
        else:
            sub = {k: v for k, v in lines.items() if re.split(r"[.\[]", k)[0] in attrs}
        start = lines.get(prefix, 0) if prefix else min(sub.values(), default=1)
        end = max(sub.values(), default=start)
        for derived, source in (extra or {}).items():  # derived attributes point at what they come from
            if source in sub:
                sub[derived] = sub[source]
        out.append(Resource(source=SOURCE, type=rtype, name=name, address=address, attributes=attrs,
                            location=Location(shown, start or 1, end or start or 1), lines=sub,
                            comments=comment_markers(file_lines, start or 1, end or start or 1)))

    static = {k: v for k, v in config.items() if k in _STATIC}
    if static:
        emit("traefik_static", Path(shown).stem, f"{shown}/static", static, "")
    for protocol in ("http", "tcp"):
        section = config.get(protocol)
        routers = section.get("routers") if isinstance(section, dict) else None
        for name, router in (routers or {}).items() if isinstance(routers, dict) else ():
            if not isinstance(router, dict):
                continue
            prefix = join_path(join_path(protocol, "routers"), name)
            attrs = dict(router)
            attrs.update(context.router_facts(router, protocol))
            emit("traefik_router", name, f"{shown}/{protocol}.routers.{name}", attrs, prefix,
                 {"middleware_types": "middlewares", "auth": "middlewares", "on_tls_entry_point": "entryPoints"})
    http = config.get("http")
    middlewares = http.get("middlewares") if isinstance(http, dict) else None
    for name, mw in (middlewares or {}).items() if isinstance(middlewares, dict) else ():
        if not isinstance(mw, dict):
            continue
        attrs = dict(mw)
        attrs["type"] = next(iter(mw), None)
        emit("traefik_middleware", name, f"{shown}/http.middlewares.{name}", attrs, join_path("http.middlewares", name))
    tls = config.get("tls")
    options = tls.get("options") if isinstance(tls, dict) else None
    for name, opts in (options or {}).items() if isinstance(options, dict) else ():
        attrs = dict(opts) if isinstance(opts, dict) else {}
        emit("traefik_tls_options", name, f"{shown}/tls.options.{name}", attrs, join_path("tls.options", name))
    return out


def _sub_lines(lines: Mapping[str, int], prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for p, ln in lines.items():
        if p.startswith(prefix + ".") or p.startswith(prefix + "["):
            rest = p[len(prefix):]
            out[rest[1:] if rest.startswith(".") else rest] = ln
    return out


class _Context:
    """Middlewares by name (this file and its folder) and the static configuration nearby."""

    def __init__(self, middlewares: dict[str, tuple[dict[str, Any], str]], static: dict[str, Any] | None) -> None:
        self.middlewares = middlewares
        self.static = static

    @classmethod
    def around(cls, path: Path, own: dict[str, Any]) -> _Context:
        middlewares: dict[str, tuple[dict[str, Any], str]] = {}
        static: dict[str, Any] | None = own if "entryPoints" in own else None
        try:
            here = path.resolve()
            siblings = sorted(p for p in here.parent.iterdir() if p.suffix.lower() in SUFFIXES and p != here)
        except OSError:
            siblings = []
        for sibling in siblings[:200]:
            config = _quiet_load(sibling)
            if config is None:
                continue
            cls._collect(config, sibling.name, middlewares)
            if static is None and "entryPoints" in config:
                static = config
        if static is None:
            for candidate in ("traefik.yml", "traefik.yaml", "traefik.toml"):
                config = _quiet_load(here.parent.parent / candidate)
                if config is not None and "entryPoints" in config:
                    static = config
                    break
        return cls(middlewares, static)

    @staticmethod
    def _collect(config: Mapping[str, Any], shown: str, into: dict[str, tuple[dict[str, Any], str]]) -> None:
        http = config.get("http")
        mws = http.get("middlewares") if isinstance(http, dict) else None
        if isinstance(mws, dict):
            for name, mw in mws.items():
                if isinstance(mw, dict):
                    into[name] = (mw, shown)

    def add_middlewares(self, config: Mapping[str, Any], shown: str) -> None:
        self._collect(config, shown, self.middlewares)

    def types_of(self, ref: str, seen: frozenset[str] = frozenset()) -> list[Any]:
        """Middleware types behind a reference (``name``, ``name@file``, ``name@docker``)."""
        name, _, provider = ref.partition("@")
        if provider and provider != "file":
            return [Unknown(f"middleware {ref} is defined by the {provider} provider, outside the scanned files")]
        if name in seen:
            return []
        found = self.middlewares.get(name)
        if found is None:
            return [Unknown(f"middleware {ref} is not defined in the scanned files")]
        mw, _ = found
        types: list[Any] = []
        for kind, conf in mw.items():
            if kind == "chain" and isinstance(conf, dict) and isinstance(conf.get("middlewares"), list):
                for inner in conf["middlewares"]:
                    types.extend(self.types_of(str(inner), seen | {name}))
            else:
                types.append(kind)
        return types

    def entry_point_middlewares(self, names: list[str] | None) -> list[str]:
        eps = self.static.get("entryPoints") if self.static else None
        if not isinstance(eps, dict):
            return []
        out: list[str] = []
        for ep_name, ep in eps.items():
            if names is not None and ep_name not in names:
                continue
            http = ep.get("http") if isinstance(ep, dict) else None
            mws = http.get("middlewares") if isinstance(http, dict) else None
            if isinstance(mws, list):
                out.extend(str(m) for m in mws)
        return out

    def on_tls(self, router: Mapping[str, Any], names: list[str] | None) -> bool:
        if "tls" in router:
            return True
        eps = self.static.get("entryPoints") if self.static else None
        if names is None:  # a router without entryPoints listens on every (default) entry point
            if not isinstance(eps, dict) or not eps:
                return True
            names = [str(n) for n in eps]
        for name in names:
            ep = eps.get(name) if isinstance(eps, dict) else None
            if isinstance(ep, dict):
                http = ep.get("http")
                if (isinstance(http, dict) and "tls" in http) or str(ep.get("address", "")).endswith(":443"):
                    return True
                continue
            if re.search(r"(?i)secure|https|tls|443", name):
                return True
        return False

    def router_facts(self, router: Mapping[str, Any], protocol: str) -> dict[str, Any]:
        raw_eps = router.get("entryPoints")
        names = [str(e) for e in raw_eps] if isinstance(raw_eps, list) else None
        refs = [*self.entry_point_middlewares(names)]
        mws = router.get("middlewares")
        if isinstance(mws, list):
            refs.extend(str(m) for m in mws)
        types: list[Any] = []
        if protocol == "http":
            for ref in refs:
                types.extend(self.types_of(ref))
        return {
            "protocol": protocol,
            "middleware_types": types,
            "auth": [t for t in types if isinstance(t, Unknown) or t in AUTH_TYPES],
            "on_tls_entry_point": self.on_tls(router, names),
        }


def _quiet_load(path: Path) -> dict[str, Any] | None:
    """A Traefik file's normalized config, or None (not Traefik, unreadable or malformed).
    Cached while the file is unchanged: every file of a folder reads its siblings."""
    try:
        if not path.is_file():
            return None
        info = path.stat()
        return _quiet_load_cached(str(path), info.st_mtime_ns, info.st_size)
    except OSError:
        return None


@functools.lru_cache(maxsize=256)
def _quiet_load_cached(name: str, mtime_ns: int, size: int) -> dict[str, Any] | None:
    path = Path(name)
    try:
        text = read_source(path, str(path))
        if not detect(path, text):
            return None
        config, _ = load(text, str(path), path.suffix.lower())
        return config
    except (InputError, OSError):
        return None

