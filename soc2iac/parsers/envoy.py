"""Envoy bootstrap / static config and xDS resource files (YAML or JSON) -> resources.

Detected by content: a top-level ``static_resources`` (or ``staticResources``)
holding listeners or clusters, ``admin`` next to static or dynamic resources, or
a top-level ``resources`` list of typed ``envoy.config.listener.v3.Listener`` /
``envoy.config.cluster.v3.Cluster`` objects (LDS/CDS files, ``-c lds.yaml``).

Keys are normalized to snake_case (proto JSON camelCase such as
``filterChains`` or ``tlsMinimumProtocolVersion`` is accepted, also mixed in one
file), except the keys of map fields (``typed_per_filter_config``,
``providers``, ``requirement_map``, ...) and of free-form structs
(``static_layer``, ``json_format``, metadata), which are kept verbatim.
``udpa``/``xds`` ``TypedStruct`` wrappers are unwrapped into the typed config
they carry, a single mapping where Envoy expects a list (``filters: {...}``) is
read as a one-element list, and the TLS protocol and fractional-percent enums
given as numbers are named. Line numbers follow the normalized paths.

Resources:

- ``envoy_listener`` (``static_resources.listeners[*]`` or a typed Listener in
  ``resources``): the listener as configured, plus views computed by this parser
  (podSpec-style: only what policies need, never secret values):

  - ``bind_address``, ``port``: from ``address.socket_address`` (``unix:<path>``
    for a pipe, ``internal`` for an internal listener);
  - ``chains``: one entry per filter chain (and ``default_filter_chain``) with
    ``at`` (its path), ``transport`` (``tls (...)``, ``tls passthrough (...)``,
    ``redirect to https (...)`` or ``plaintext (...)``) and ``http``, the HTTP
    connection manager of the chain when it has one: ``at``, ``access_log``
    (name, type, path of each logger), ``http_filters``, ``routes`` and
    ``cors_policies``;
  - ``tls_contexts``: the TLS parameters of every DownstreamTlsContext
    (``tls_minimum_protocol_version``, ``tls_maximum_protocol_version``,
    ``cipher_suites``), with ``at``;
  - ``inline_secrets``: where key material is written inline (``at``, ``kind``).

  ``chains[*].http.http_filters`` lists the HTTP filters in chain order: ``name``,
  ``kind`` (jwt_authn, ext_authz, local_ratelimit, ratelimit, cors, router or other, from
  the typed config's type or the name), ``type``, ``disabled`` (disabled by default),
  ``after_router`` (after the first router: Envoy never runs it) and, for the auth and
  rate-limit kinds, ``config``: what their config says about which requests they apply to
  (``rules`` with each match described, ``requirement_map``, ``filter_state_rules``, the
  provider names, ``filter_enabled``/``filter_enforced`` as percentages, ``token_bucket``,
  ``failure_mode_allow``, ``domain``, per-route ``disabled``/``requirement_name``), or an
  unknown for a config from ECDS.

  Each ``chains[*].http.routes`` entry is a route that forwards upstream (redirects and
  direct responses are left out) with its ``virtual_host``, ``match`` (a description),
  ``route_match`` (the match described for comparisons: ``path`` kind and value, other
  ``conditions``, ``case_insensitive``), ``per_filter_config`` (the typed_per_filter_config
  entries of those filters that reach it: the route's first, then its virtual host's, then
  the route configuration's, each with ``filter``, ``level``, ``type``, a FilterConfig's
  ``disabled`` and the config's facts) and the numbers of ``rate_limits`` descriptors on
  the route and on its virtual host. Whether that makes a route authenticated or rate
  limited is decided by the check kinds ``route_authentication`` and ``route_rate_limit``.

  ``cors_policies`` lists every CORS policy that the HCM's cors filter applies
  (virtual host / route ``cors`` and ``CorsPolicy`` per-filter configs; none
  when the HCM has no cors filter, since policies are inert without it), with
  ``allow_origin_string_match`` (legacy ``allow_origin``/``allow_origin_regex``
  converted), ``allow_credentials`` and ``at``. Routes from RDS or scoped RDS
  are not in the file: ``routes`` (and ``cors_policies`` when a cors filter is
  present) are then unknown. HTTP filters after the router never run and are
  ignored; filters from ECDS have unknown config.

- ``envoy_cluster``: the cluster, with ``tls_contexts`` (UpstreamTlsContext of
  ``transport_socket`` and ``transport_socket_matches``) and ``inline_secrets``.
- ``envoy_secret``: a ``static_resources.secrets`` entry, with ``inline_secrets``.
- ``envoy_admin``: the ``admin`` block (``address.socket_address.address``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, Unknown, join_path
from soc2iac.parsers import comment_markers, one_line
from soc2iac.parsers.kubernetes import parse_documents

SOURCE = "envoy"
SUFFIXES = (".yaml", ".yml", ".json")

# -- detection ---------------------------------------------------------------------

_YAML_TOP = re.compile(r"""^["']?(static_resources|staticResources|admin|dynamic_resources|dynamicResources|resources)["']?\s*:""",
                       re.MULTILINE)
_JSON_TOP = re.compile(r'"(static_resources|staticResources|admin|dynamic_resources|dynamicResources|resources)"\s*:')
_HAS_LISTENERS_OR_CLUSTERS = re.compile(r"""["']?(listeners|clusters)["']?\s*:""")
_TYPED_RESOURCE = re.compile(r"envoy\.(config\.listener\.v3\.Listener|config\.cluster\.v3\.Cluster|api\.v2\.(Listener|Cluster))\b")
_PLAN_MARKERS = re.compile(r'"(terraform_version|format_version|resource_changes)"\s*:')


def detect(path: Path, text: str) -> bool:
    """Whether ``text`` is an Envoy bootstrap or an LDS/CDS resource file (by content)."""
    sample = text if len(text) <= 4_000_000 else text[:4_000_000]
    stripped = sample.lstrip()
    if stripped.startswith(("{", "[")):
        if _PLAN_MARKERS.search(sample[:20000]):
            return False
        keys = {m.group(1) for m in _JSON_TOP.finditer(sample)}
    else:
        keys = {m.group(1) for m in _YAML_TOP.finditer(sample)}
    static = bool(keys & {"static_resources", "staticResources"})
    dynamic = bool(keys & {"dynamic_resources", "dynamicResources"})
    if static and _HAS_LISTENERS_OR_CLUSTERS.search(sample):
        return True
    if "admin" in keys and (static or dynamic):
        return True
    return "resources" in keys and bool(_TYPED_RESOURCE.search(sample))


# -- normalization -----------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")

# map<string, Message> fields: keys are names, values messages
MAP_FIELDS = frozenset({
    "typed_per_filter_config", "typed_filter_metadata", "providers", "requirement_map",
    "typed_extension_protocol_options", "extension_protocol_options", "policies",
})
# google.protobuf.Struct fields: kept verbatim
STRUCT_FIELDS = frozenset({"static_layer", "json_format", "filter_metadata", "per_filter_config", "fields"})
# repeated message fields: a single mapping is read as a one-element list, items must be mappings
LIST_OF_MESSAGES = frozenset({
    "listeners", "clusters", "secrets", "filter_chains", "filters", "http_filters", "virtual_hosts", "routes",
    "access_log", "tls_certificates", "resources", "endpoints", "lb_endpoints", "listener_filters",
    "allow_origin_string_match", "tls_certificate_sds_secret_configs", "transport_socket_matches", "layers",
    "requirements", "descriptors", "rate_limits", "actions", "upgrade_configs", "claim_to_headers",
    "from_headers", "query_parameters", "additional_addresses",
})
# message fields that must be mappings when set
MUST_BE_MAPPING = frozenset({
    "typed_config", "static_resources", "socket_address", "route_config", "transport_socket",
    "common_tls_context", "tls_params", "filter_chain_match", "default_filter_chain", "token_bucket",
    "filter_enabled", "filter_enforced", "load_assignment", "admin",
})
_TLS_PROTOCOLS = {0: "TLS_AUTO", 1: "TLSv1_0", 2: "TLSv1_1", 3: "TLSv1_2", 4: "TLSv1_3"}
_DENOMINATORS = {0: "HUNDRED", 1: "TEN_THOUSAND", 2: "MILLION"}
ENUM_FIELDS: dict[str, dict[int, str]] = {
    "tls_minimum_protocol_version": _TLS_PROTOCOLS,
    "tls_maximum_protocol_version": _TLS_PROTOCOLS,
    "denominator": _DENOMINATORS,
}


def snake(key: str) -> str:
    """``filterChains`` -> ``filter_chains``; ``@type`` and snake_case keys stay."""
    if key.startswith("@") or key.islower() or not any(c.isupper() for c in key):
        return key
    return _CAMEL.sub(r"_\1", key).lower()


def short_type(value: Any) -> str:
    """``type.googleapis.com/envoy.x.v3.Y`` -> ``envoy.x.v3.Y``."""
    return value.rsplit("/", 1)[-1] if isinstance(value, str) else ""


class _Normalizer:
    def __init__(self, src_lines: Mapping[str, int], shown: str) -> None:
        self.src_lines = src_lines
        self.shown = shown
        self.lines: dict[str, int] = {}

    def _record(self, src: str, dst: str) -> None:
        line = self.src_lines.get(src)
        if line:
            self.lines.setdefault(dst, line)

    def _fail(self, src: str, message: str) -> InputError:
        # the message names a path, whose keys may hold line breaks: escaped, on one line
        return InputError(self.shown, one_line(message, 400), line=self.src_lines.get(src, 0))

    def document(self, value: Any) -> Any:
        return self._value(value, "", "", "")

    def _value(self, value: Any, src: str, dst: str, key: str) -> Any:
        self._record(src, dst)
        if key in STRUCT_FIELDS or dst == "node.metadata":
            return self._verbatim(value, src, dst)
        if key in MUST_BE_MAPPING and value is not None and not isinstance(value, Mapping):
            raise self._fail(src, f"{dst or key} must be a mapping, not {type(value).__name__}")
        if key in LIST_OF_MESSAGES:
            if isinstance(value, Mapping):  # Envoy accepts one object where a list is expected
                first = next(iter(value), None)  # the item starts at its first key, not at the list's key
                self._record(join_path(src, str(first)) if first is not None else src, join_path(dst, 0))
                return [self._mapping(value, src, join_path(dst, 0), src_children=src)]
            if isinstance(value, list):
                out = []
                for i, item in enumerate(value):
                    isrc, idst = join_path(src, i), join_path(dst, i)
                    if not isinstance(item, Mapping):
                        raise self._fail(isrc, f"{idst} must be a mapping, not {type(item).__name__}")
                    self._record(isrc, idst)
                    out.append(self._mapping(item, isrc, idst))
                return out
            if value is not None:
                raise self._fail(src, f"{dst} must be a list, not {type(value).__name__}")
            return value
        if key in MAP_FIELDS and isinstance(value, Mapping):
            out_map: dict[str, Any] = {}
            for k, v in value.items():
                csrc, cdst = join_path(src, str(k)), join_path(dst, str(k))
                out_map[str(k)] = self._value(v, csrc, cdst, "")
            return out_map
        if isinstance(value, Mapping):
            return self._mapping(value, src, dst)
        if isinstance(value, list):
            return [self._value(v, join_path(src, i), join_path(dst, i), "") for i, v in enumerate(value)]
        enum = ENUM_FIELDS.get(key)
        if enum is not None and isinstance(value, int) and not isinstance(value, bool):
            return enum.get(value, value)
        return value

    def _mapping(self, value: Mapping[str, Any], src: str, dst: str, *, src_children: str | None = None) -> dict[str, Any]:
        base = src if src_children is None else src_children
        items: list[tuple[str, Any, str]] = [(str(k), v, join_path(base, str(k))) for k, v in value.items()]
        kind = short_type(value.get("@type"))
        inner = value.get("value")
        if kind.endswith(".TypedStruct") and isinstance(inner, Mapping):
            url_key = "type_url" if "type_url" in value else "typeUrl"
            vsrc = join_path(base, "value")
            items = [("@type", value.get(url_key), join_path(base, url_key))]
            items += [(str(k), v, join_path(vsrc, str(k))) for k, v in inner.items()]
        out: dict[str, Any] = {}
        for k, v, csrc in items:
            key = snake(k)
            out[key] = self._value(v, csrc, join_path(dst, key), key)
        return out

    def _verbatim(self, value: Any, src: str, dst: str) -> Any:
        self._record(src, dst)
        if isinstance(value, Mapping):
            return {str(k): self._verbatim(v, join_path(src, str(k)), join_path(dst, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self._verbatim(v, join_path(src, i), join_path(dst, i)) for i, v in enumerate(value)]
        return value


# -- line maps ---------------------------------------------------------------------

class _Lines:
    """Lines of one normalized document, with subtree lookups by path prefix."""

    def __init__(self, lines: Mapping[str, int]) -> None:
        self.lines = dict(lines)
        self.keys = sorted(self.lines)

    def get(self, path: str) -> int:
        probe = path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = _parent(probe)
        return self.lines.get("", 0)

    def subtree(self, prefix: str) -> Iterator[tuple[str, int]]:
        """``(relative path, line)`` of ``prefix`` and everything under it."""
        if prefix in self.lines:
            yield "", self.lines[prefix]
        if not prefix:
            for k in self.keys:
                if k:
                    yield k, self.lines[k]
            return
        for sep in (".", "["):
            start = prefix + sep
            i = bisect.bisect_left(self.keys, start)
            while i < len(self.keys) and self.keys[i].startswith(start):
                k = self.keys[i]
                yield (k[len(prefix) + 1:] if sep == "." else k[len(prefix):]), self.lines[k]
                i += 1


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rfind("[")]
    cut = path.rfind(".")
    return path[:cut] if cut > 0 else ""


def _rel(prefix: str, rel: str) -> str:
    if not rel:
        return prefix
    if rel.startswith("["):
        return prefix + rel
    return f"{prefix}.{rel}" if prefix else rel


# -- small readers -----------------------------------------------------------------

def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _typed(entry: Mapping[str, Any]) -> tuple[Any, str]:
    """The config of a filter / transport socket entry and its key (``typed_config`` or v2 ``config``)."""
    for key in ("typed_config", "config"):
        if key in entry:
            return entry[key], key
    return None, ""


def _percent(frac: Any) -> float | None:
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
class _Filter:
    name: str
    kind: str
    config: Any  # a mapping, or Unknown for ECDS
    path: str  # of the http_filters entry
    disabled: bool
    cfg_path: str  # of its typed_config


def _http_filter(entry: Mapping[str, Any], path: str) -> _Filter:
    name = str(entry.get("name") or "")
    cfg, key = _typed(entry)
    type_name = short_type(_map(cfg).get("@type"))
    discovery = entry.get("config_discovery")
    if isinstance(discovery, Mapping):
        urls = " ".join(str(u) for u in _list(discovery.get("type_urls")))
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
    return _Filter(name, kind, cfg, path, bool(entry.get("disabled")), f"{path}.{key}" if key else path)


def _is_hcm(entry: Mapping[str, Any]) -> bool:
    cfg, _ = _typed(entry)
    type_name = short_type(_map(cfg).get("@type"))
    if type_name:
        return type_name.endswith(".HttpConnectionManager")
    return bool(re.search(r"(?:^|\.)http_connection_manager$", str(entry.get("name") or "")))


# -- route matching (jwt_authn rules against routes) -------------------------------

_ANY_PATH_REGEX = {".*", "^.*$", "^.*", ".*$", "(.*)", "^(.*)$", "/.*", "^/.*$", "^/.*", "/.*$", ".+", "^.+$", "/.+"}
_CONDITIONS = ("headers", "query_parameters", "runtime_fraction", "grpc", "tls_context", "dynamic_metadata",
               "filter_state", "cel_expression")


def _path_spec(match: Mapping[str, Any]) -> tuple[str, str] | None:
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
    spec = _path_spec(_map(match))
    if spec is None:
        keys = ", ".join(k for k in _map(match)) or "nothing"
        return f"match on {keys}"
    kind, value = spec
    extra = [k for k in _CONDITIONS if k in _map(match)]
    return f"{kind} {value!r}" + (f" with {', '.join(extra)}" if extra else "")


def match_facts(match: Any) -> dict[str, Any]:
    """A RouteMatch described for comparisons: ``text`` (as in ``describe_match``), ``path``
    (``[kind, value]``: prefix, path, path_separated_prefix or regex; a regex matching any
    path is ``["prefix", ""]``; absent when the path part is not a plain string), the other
    ``conditions`` it has (headers, query_parameters, ...) and ``case_insensitive``."""
    m = _map(match)
    out: dict[str, Any] = {"text": describe_match(match)}
    spec = _path_spec(m)
    if spec is not None:
        out["path"] = list(spec)
    out["conditions"] = [k for k in _CONDITIONS if k in m]
    out["case_insensitive"] = m.get("case_sensitive") is False
    return out


# -- views -------------------------------------------------------------------------

class _ViewBuilder:
    """Computes the view attributes of one resource and their lines."""

    def __init__(self, lines: _Lines) -> None:
        self.src = lines
        self.lines: dict[str, int] = {}

    def line(self, dst: str, src: str) -> None:
        ln = self.src.get(src)
        if ln:
            self.lines[dst] = ln

    def copy(self, value: Any, src: str, dst: str) -> Any:
        """A copy of ``value`` (at ``src``) placed at ``dst``, with the lines of its subtree."""
        self.line(dst, src)
        for rel, ln in self.src.subtree(src):
            self.lines[_rel(dst, rel)] = ln
        return value

    # -- TLS ----------------------------------------------------------------------
    def tls_view(self, ctx: Mapping[str, Any], ctx_path: str, at: str, dst: str, direction: str) -> dict[str, Any]:
        self.line(dst, ctx_path)
        params = _map(_map(ctx.get("common_tls_context")).get("tls_params"))
        params_path = f"{ctx_path}.common_tls_context.tls_params"
        view: dict[str, Any] = {"at": at, "direction": direction}
        self.line(f"{dst}.at", ctx_path)
        for key in ("tls_minimum_protocol_version", "tls_maximum_protocol_version", "cipher_suites"):
            if key in params and params[key] is not None:
                view[key] = self.copy(params[key], f"{params_path}.{key}", f"{dst}.{key}")
        return view

    # -- listener -----------------------------------------------------------------
    def listener(self, lst: Mapping[str, Any]) -> dict[str, Any]:
        views: dict[str, Any] = {}
        addr = _map(lst.get("address"))
        sock = _map(addr.get("socket_address"))
        if sock.get("address") is not None:
            views["bind_address"] = str(sock["address"])
            self.line("bind_address", "address.socket_address.address")
        elif isinstance(addr.get("pipe"), Mapping):
            views["bind_address"] = f"unix:{addr['pipe'].get('path', '')}"
            self.line("bind_address", "address.pipe")
        elif "internal_listener" in lst or "envoy_internal_address" in addr:
            views["bind_address"] = "internal"
            self.line("bind_address", "internal_listener" if "internal_listener" in lst else "address")
        port = sock.get("port_value")
        if port is not None:
            views["port"] = port
            self.line("port", "address.socket_address.port_value")
        chains: list[dict[str, Any]] = []
        tls: list[dict[str, Any]] = []
        sources = [(fc, f"filter_chains[{i}]") for i, fc in enumerate(_list(lst.get("filter_chains")))]
        if isinstance(lst.get("default_filter_chain"), Mapping):
            sources.append((lst["default_filter_chain"], "default_filter_chain"))
        for fc, path in sources:
            k = len(chains)
            chains.append(self.chain(fc, path, f"chains[{k}]", tls))
        views["chains"] = chains
        views["tls_contexts"] = tls
        return views

    def chain(self, fc: Mapping[str, Any], path: str, dst: str, tls: list[dict[str, Any]]) -> dict[str, Any]:
        self.line(dst, path)
        view: dict[str, Any] = {"at": path}
        self.line(f"{dst}.at", path)
        if fc.get("name"):
            view["name"] = fc["name"]
        hcm: dict[str, Any] | None = None
        for j, entry in enumerate(_list(fc.get("filters"))):
            if _is_hcm(entry):
                cfg, key = _typed(entry)
                cfg_path = f"{path}.filters[{j}]" + (f".{key}" if key else "")
                hcm = self.http(_map(cfg), cfg_path, f"{dst}.http")
                break
        transport, ctx, ctx_path = self.transport(fc, path)
        if ctx is not None:
            t = len(tls)
            tls.append(self.tls_view(ctx, ctx_path, ctx_path, f"tls_contexts[{t}]", "downstream"))
        elif isinstance(transport, str) and transport.startswith("plaintext") and hcm is not None \
                and self._redirect_only(hcm):
            transport = "redirect to https (plaintext, but every route redirects to https)"
        view["transport"] = transport
        self.line(f"{dst}.transport", f"{path}.transport_socket" if "transport_socket" in fc else path)
        if hcm is not None:
            view["http"] = hcm
        return view

    def transport(self, fc: Mapping[str, Any], path: str) -> tuple[Any, Mapping[str, Any] | None, str]:
        """(description, DownstreamTlsContext or None, its path) of a filter chain."""
        ts = fc.get("transport_socket")
        ts_path = f"{path}.transport_socket"
        if not isinstance(ts, Mapping) and isinstance(fc.get("tls_context"), Mapping):  # v2 API
            return "tls (tls_context)", fc["tls_context"], f"{path}.tls_context"
        for _ in range(5):  # tap / tcp_stats wrap an inner transport socket
            if not isinstance(ts, Mapping):
                break
            cfg, key = _typed(ts)
            cfg_path = f"{ts_path}.{key}" if key else ts_path
            cfg = _map(cfg)
            type_name = short_type(cfg.get("@type"))
            name = str(ts.get("name") or "")
            if type_name.endswith(".DownstreamTlsContext") or (not type_name and re.search(r"(^|\.)tls$", name)):
                return "tls (DownstreamTlsContext)", cfg, cfg_path
            if type_name.endswith(".QuicDownstreamTransport"):
                return "tls (QUIC)", _map(cfg.get("downstream_tls_context")), f"{cfg_path}.downstream_tls_context"
            if type_name.endswith(".StartTlsConfig"):
                return "tls (STARTTLS)", _map(cfg.get("tls_socket_config")), f"{cfg_path}.tls_socket_config"
            if type_name.endswith(".Alts") or name.endswith("alts"):
                return "tls (ALTS)", None, cfg_path
            if isinstance(cfg.get("transport_socket"), Mapping):
                ts, ts_path = cfg["transport_socket"], f"{cfg_path}.transport_socket"
                continue
            if type_name.endswith(".RawBuffer") or name.endswith("raw_buffer"):
                return "plaintext (raw_buffer transport socket)", None, ts_path
            return Unknown(f"transport socket {type_name or name or '(unnamed)'} is not recognised"), None, ts_path
        match = _map(fc.get("filter_chain_match"))
        if match.get("transport_protocol") == "tls":
            return "tls passthrough (filter_chain_match.transport_protocol: tls)", None, path
        return "plaintext (no transport_socket)", None, path

    @staticmethod
    def _redirect_only(hcm: Mapping[str, Any]) -> bool:
        rc = hcm.get("_route_config")
        if not isinstance(rc, Mapping):
            return False
        seen = False
        for vh in _list(rc.get("virtual_hosts")):
            if str(vh.get("require_tls") or "NONE") in ("ALL", "EXTERNAL_ONLY"):
                seen = True
                continue
            for route in _list(vh.get("routes")):
                redirect = _map(route.get("redirect"))
                if not (redirect.get("https_redirect") is True or str(redirect.get("scheme_redirect", "")).lower() == "https"):
                    return False
                seen = True
        return seen

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
            for i, entry in enumerate(_list(cfg.get("access_log"))):
                lcfg, key = _typed(entry)
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
        chain = [_http_filter(entry, f"{cfg_path}.http_filters[{i}]") for i, entry in enumerate(_list(cfg.get("http_filters")))]
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
        view["_route_config"] = rc  # removed again by the caller of http()
        ctx = _HcmContext(self, chain[:router], rc, rc_path)
        if isinstance(rc, Unknown):
            view["routes"] = rc
            self.line(f"{dst}.routes", rc_path)
        else:
            view["routes"] = ctx.routes(f"{dst}.routes")
        cors = ctx.cors(f"{dst}.cors_policies")
        if cors is not None:
            view["cors_policies"] = cors
        return view


    def http_filters(self, chain: list[_Filter], filters_path: str, dst: str) -> list[dict[str, Any]]:
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
            kind = short_type(_map(f.config).get("@type"))
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
                pct = _percent(cfg[key])
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
        for j, rule in enumerate(_list(rules)):
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


# kinds of HTTP filters whose configs and per-route configs the views describe
FACT_KINDS = frozenset({"jwt_authn", "ext_authz", "local_ratelimit", "ratelimit"})
# keys of those configs copied as written (fractions and providers are described apart)
_FACT_KEYS = ("disabled", "requirement_name", "requirement_map", "filter_state_rules", "token_bucket",
              "failure_mode_allow", "domain")


class _HcmContext:
    """Per-route semantics of one HTTP connection manager."""

    def __init__(self, vb: _ViewBuilder, filters: list[_Filter], rc: Any, rc_path: str) -> None:
        self.vb = vb
        self.filters = filters  # those before the router
        self.rc = rc
        self.rc_path = rc_path

    def _each_route(self) -> Iterator[tuple[Mapping[str, Any], str, Mapping[str, Any], str]]:
        for v, vh in enumerate(_list(_map(self.rc).get("virtual_hosts"))):
            vpath = f"{self.rc_path}.virtual_hosts[{v}]"
            for r, route in enumerate(_list(vh.get("routes"))):
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
                                 ("route_config", _map(self.rc), self.rc_path)):
            for name, value in _map(obj.get("typed_per_filter_config")).items():
                if name not in names or value is None:
                    continue
                at = join_path(f"{path}.typed_per_filter_config", name)
                cdst = f"{edst}.per_filter_config[{len(configs)}]"
                self.vb.line(cdst, at)
                item: dict[str, Any] = {"filter": name, "level": level, "at": at}
                kind = short_type(_map(value).get("@type"))
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
        entry["rate_limits"] = len(_list(_map(route.get("route")).get("rate_limits")))
        entry["virtual_host_rate_limits"] = len(_list(vh.get("rate_limits")))
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
        rc = _map(self.rc)

        def per_filter(obj: Mapping[str, Any], path: str) -> None:
            for name, value in _map(obj.get("typed_per_filter_config")).items():
                if name in names and isinstance(value, Mapping):
                    vpath = join_path(f"{path}.typed_per_filter_config", name)
                    if short_type(value.get("@type")).endswith(".FilterConfig"):
                        value, vpath = _map(value.get("config")), f"{vpath}.config"
                    found.append((value, vpath))

        per_filter(rc, self.rc_path)
        for v, vh in enumerate(_list(rc.get("virtual_hosts"))):
            vpath = f"{self.rc_path}.virtual_hosts[{v}]"
            if isinstance(vh.get("cors"), Mapping):
                found.append((vh["cors"], f"{vpath}.cors"))
            per_filter(vh, vpath)
            for r, route in enumerate(_list(vh.get("routes"))):
                rpath = f"{vpath}.routes[{r}]"
                action = _map(route.get("route"))
                if isinstance(action.get("cors"), Mapping):
                    found.append((action["cors"], f"{rpath}.route.cors"))
                per_filter(route, rpath)
        out: list[dict[str, Any]] = []
        for policy, path in found:
            enabled = _percent(policy.get("filter_enabled")) if "filter_enabled" in policy else 100.0
            if enabled == 0 or policy.get("enabled") is False:
                continue  # this policy is switched off
            k = len(out)
            edst = f"{dst}[{k}]"
            self.vb.line(edst, path)
            entry: dict[str, Any] = {"at": path, "allow_credentials": policy.get("allow_credentials") is True}
            self.vb.line(f"{edst}.at", path)
            self.vb.line(f"{edst}.allow_credentials", f"{path}.allow_credentials")
            matchers: list[Any] = []
            for i, m in enumerate(_list(policy.get("allow_origin_string_match"))):
                matchers.append(self.vb.copy(m, f"{path}.allow_origin_string_match[{i}]",
                                             f"{edst}.allow_origin_string_match[{len(matchers)}]"))
            for i, origin in enumerate(_list(policy.get("allow_origin"))):  # deprecated
                mdst = f"{edst}.allow_origin_string_match[{len(matchers)}]"
                self.vb.line(mdst, f"{path}.allow_origin[{i}]")
                self.vb.line(f"{mdst}.exact", f"{path}.allow_origin[{i}]")
                matchers.append({"exact": origin})
            for i, regex in enumerate(_list(policy.get("allow_origin_regex"))):  # deprecated
                mdst = f"{edst}.allow_origin_string_match[{len(matchers)}]"
                self.vb.line(mdst, f"{path}.allow_origin_regex[{i}]")
                self.vb.line(f"{mdst}.safe_regex.regex", f"{path}.allow_origin_regex[{i}]")
                matchers.append({"safe_regex": {"regex": regex}})
            entry["allow_origin_string_match"] = matchers
            self.vb.line(f"{edst}.allow_origin_string_match", f"{path}.allow_origin_string_match")
            out.append(entry)
        self.vb.line(dst, self.rc_path)
        return out


# -- inline key material -----------------------------------------------------------

_SECRET_SOURCES = {"private_key": "TLS private key", "password": "private key password", "pkcs12": "PKCS#12 bundle",
                   "secret": "generic secret", "users": "basic auth users (htpasswd)"}
_SYMMETRIC_JWKS = re.compile(r'"kty"\s*:\s*"oct"')


def inline_secrets(value: Any, here: str = "", key: str = "", parent: str = "") -> Iterator[tuple[str, str]]:
    """``(path, kind)`` of key material written inline (DataSource inline_string / inline_bytes)."""
    if isinstance(value, Mapping):
        if key in _SECRET_SOURCES or (key == "keys" and parent == "session_ticket_keys") or key == "local_jwks":
            for inline in ("inline_string", "inline_bytes"):
                text = value.get(inline)
                if isinstance(text, str) and text.strip():
                    if key == "local_jwks":
                        if _SYMMETRIC_JWKS.search(text):
                            yield join_path(here, inline), "symmetric JWT key (JWKS kty oct)"
                        continue
                    kind = "session ticket key" if key == "keys" else _SECRET_SOURCES[key]
                    yield join_path(here, inline), kind
        for k, v in value.items():
            yield from inline_secrets(v, join_path(here, str(k)), str(k), key)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from inline_secrets(v, join_path(here, i), key, parent)


# -- resources ---------------------------------------------------------------------

def _resource(rtype: str, name: str, attrs: dict[str, Any], lines: dict[str, int], shown: str,
              text_lines: Sequence[str]) -> Resource:
    start = lines.get("", 0) or min(lines.values(), default=1)
    end = max(lines.values(), default=start)
    secrets: list[dict[str, str]] = []
    vlines: dict[str, int] = {}
    for path, kind in inline_secrets(attrs):
        k = len(secrets)
        secrets.append({"at": path, "kind": kind})
        ln = _line_of(lines, path)
        vlines[f"inline_secrets[{k}]"] = vlines[f"inline_secrets[{k}].at"] = vlines[f"inline_secrets[{k}].kind"] = ln
    attrs["inline_secrets"] = secrets
    lines.update(vlines)
    lines.setdefault("inline_secrets", start)
    return Resource(
        source=SOURCE, type=rtype, name=name, address=f"{rtype}.{name}", attributes=attrs,
        location=Location(shown, start, end), lines=lines,
        comments=comment_markers(text_lines, start, end) if start else (),
    )


def _line_of(lines: Mapping[str, int], path: str) -> int:
    probe = path
    while probe:
        if probe in lines:
            return lines[probe]
        probe = _parent(probe)
    return lines.get("", 0)


def _sub(doc_lines: _Lines, prefix: str) -> dict[str, int]:
    return {rel: ln for rel, ln in doc_lines.subtree(prefix)}


def _listener(obj: Mapping[str, Any], prefix: str, index: int, doc_lines: _Lines, shown: str,
              text_lines: Sequence[str]) -> Resource:
    lines = _sub(doc_lines, prefix)
    if "address" in obj and obj["address"] is not None and not isinstance(obj["address"], Mapping):
        raise InputError(shown, "listener address must be a mapping (socket_address, pipe, ...)",
                         line=_line_of(lines, "address"))
    port = _map(_map(obj.get("address")).get("socket_address")).get("port_value")
    if port is not None and (isinstance(port, bool) or not str(port).isdigit()):
        raise InputError(shown, f"listener port_value must be a number, not {port!r}",
                         line=_line_of(lines, "address.socket_address.port_value"))
    vb = _ViewBuilder(_Lines(lines))
    views = vb.listener(obj)
    for chain in views["chains"]:
        http = chain.get("http")
        if isinstance(http, dict):
            http.pop("_route_config", None)
    name = str(obj.get("name") or "")
    if not name:
        bind, p = views.get("bind_address"), views.get("port")
        name = f"{bind}:{p}" if bind is not None and p is not None else f"listeners[{index}]"
    attrs = dict(obj)
    attrs.update(views)
    all_lines = dict(lines)
    all_lines.update(vb.lines)
    for key in views:
        all_lines.setdefault(key, lines.get("", 0))
    return _resource("envoy_listener", name, attrs, all_lines, shown, text_lines)


def _cluster(obj: Mapping[str, Any], prefix: str, index: int, doc_lines: _Lines, shown: str,
             text_lines: Sequence[str]) -> Resource:
    lines = _sub(doc_lines, prefix)
    vb = _ViewBuilder(_Lines(lines))
    tls: list[dict[str, Any]] = []
    sockets = []
    if isinstance(obj.get("transport_socket"), Mapping):
        sockets.append((obj["transport_socket"], "transport_socket"))
    for i, m in enumerate(_list(obj.get("transport_socket_matches"))):
        if isinstance(m.get("transport_socket"), Mapping):
            sockets.append((m["transport_socket"], f"transport_socket_matches[{i}].transport_socket"))
    for ts, path in sockets:
        cfg, key = _typed(ts)
        cfg = _map(cfg)
        if short_type(cfg.get("@type")).endswith(".UpstreamTlsContext"):
            ctx_path = f"{path}.{key}"
            tls.append(vb.tls_view(cfg, ctx_path, ctx_path, f"tls_contexts[{len(tls)}]", "upstream"))
    attrs = dict(obj)
    attrs["tls_contexts"] = tls
    all_lines = dict(lines)
    all_lines.update(vb.lines)
    all_lines.setdefault("tls_contexts", lines.get("", 0))
    name = str(obj.get("name") or f"clusters[{index}]")
    return _resource("envoy_cluster", name, attrs, all_lines, shown, text_lines)


def _simple(rtype: str, obj: Mapping[str, Any], prefix: str, name: str, doc_lines: _Lines, shown: str,
            text_lines: Sequence[str]) -> Resource:
    return _resource(rtype, name, dict(obj), _sub(doc_lines, prefix), shown, text_lines)


def _documents(text: str, shown: str) -> Iterator[tuple[Any, dict[str, int]]]:
    for value, lines in parse_documents(text, shown):
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise InputError(shown, f"an Envoy config must be a mapping, not {type(value).__name__}",
                             line=lines.get("", 1) or 1)
        norm = _Normalizer(lines, shown)
        yield norm.document(value), norm.lines


def parse_text(text: str, shown: str, path: Path | None = None) -> list[Resource]:
    try:
        return _parse(text, shown)
    except RecursionError:
        raise InputError(shown, "Envoy config nested too deeply") from None


def _parse(text: str, shown: str) -> list[Resource]:
    text_lines = text.splitlines()
    out: list[Resource] = []
    for doc, raw_lines in _documents(text, shown):
        lines = _Lines(raw_lines)
        static = doc.get("static_resources")
        if isinstance(static, Mapping):
            for i, lst in enumerate(_list(static.get("listeners"))):
                out.append(_listener(lst, f"static_resources.listeners[{i}]", i, lines, shown, text_lines))
            for i, cl in enumerate(_list(static.get("clusters"))):
                out.append(_cluster(cl, f"static_resources.clusters[{i}]", i, lines, shown, text_lines))
            for i, sec in enumerate(_list(static.get("secrets"))):
                out.append(_simple("envoy_secret", sec, f"static_resources.secrets[{i}]",
                                   str(sec.get("name") or f"secrets[{i}]"), lines, shown, text_lines))
        if isinstance(doc.get("admin"), Mapping):
            out.append(_simple("envoy_admin", doc["admin"], "admin", "admin", lines, shown, text_lines))
        for i, item in enumerate(_list(doc.get("resources"))):
            kind = short_type(item.get("@type"))
            prefix = f"resources[{i}]"
            if kind.endswith(".Listener"):
                out.append(_listener(item, prefix, i, lines, shown, text_lines))
            elif kind.endswith(".Cluster"):
                out.append(_cluster(item, prefix, i, lines, shown, text_lines))
            elif kind.endswith(".Secret"):
                out.append(_simple("envoy_secret", item, prefix, str(item.get("name") or prefix), lines, shown,
                                   text_lines))
    return out
