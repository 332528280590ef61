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
    ``at`` (its path), ``transport`` (``tls (...)``, ``tls passthrough (...)`` or
    ``plaintext (...)``: the protocol and what sets it; unknown for an unrecognised
    transport socket), ``protocol`` (its first part) and ``http``, the HTTP
    connection manager of the chain when it has one: ``at``, ``access_log``
    (name, type, path of each logger), ``http_filters``, ``routes``,
    ``virtual_hosts`` (each with ``require_tls`` and the ``action`` of every route,
    and a redirect's ``redirect_scheme``) and ``cors_policies``;
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

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, join_path
from soc2iac.parsers import comment_markers
from soc2iac.parsers.envoy_listeners import ListenerViews
from soc2iac.parsers.envoy_normalize import Lines, Normalizer, as_list, as_map, line_at, short_type, typed_config
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
        ln = line_at(lines, path)
        vlines[f"inline_secrets[{k}]"] = vlines[f"inline_secrets[{k}].at"] = vlines[f"inline_secrets[{k}].kind"] = ln
    attrs["inline_secrets"] = secrets
    lines.update(vlines)
    lines.setdefault("inline_secrets", start)
    return Resource(
        source=SOURCE, type=rtype, name=name, address=f"{rtype}.{name}", attributes=attrs,
        location=Location(shown, start, end), lines=lines,
        comments=comment_markers(text_lines, start, end) if start else (),
    )


def _sub(doc_lines: Lines, prefix: str) -> dict[str, int]:
    return {rel: ln for rel, ln in doc_lines.subtree(prefix)}


def _listener(obj: Mapping[str, Any], prefix: str, index: int, doc_lines: Lines, shown: str,
              text_lines: Sequence[str], clusters: Mapping[str, Mapping[str, Any]]) -> Resource:
    lines = _sub(doc_lines, prefix)
    if "address" in obj and obj["address"] is not None and not isinstance(obj["address"], Mapping):
        raise InputError(shown, "listener address must be a mapping (socket_address, pipe, ...)",
                         line=line_at(lines, "address"))
    port = as_map(as_map(obj.get("address")).get("socket_address")).get("port_value")
    if port is not None and (isinstance(port, bool) or not str(port).isdigit()):
        raise InputError(shown, f"listener port_value must be a number, not {port!r}",
                         line=line_at(lines, "address.socket_address.port_value"))
    vb = ListenerViews(Lines(lines))
    vb.clusters = clusters
    views = vb.listener(obj)
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


def _cluster(obj: Mapping[str, Any], prefix: str, index: int, doc_lines: Lines, shown: str,
             text_lines: Sequence[str]) -> Resource:
    lines = _sub(doc_lines, prefix)
    vb = ListenerViews(Lines(lines))
    tls: list[dict[str, Any]] = []
    sockets = []
    if isinstance(obj.get("transport_socket"), Mapping):
        sockets.append((obj["transport_socket"], "transport_socket"))
    for i, m in enumerate(as_list(obj.get("transport_socket_matches"))):
        if isinstance(m.get("transport_socket"), Mapping):
            sockets.append((m["transport_socket"], f"transport_socket_matches[{i}].transport_socket"))
    for ts, path in sockets:
        cfg, key = typed_config(ts)
        cfg = as_map(cfg)
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


def _simple(rtype: str, obj: Mapping[str, Any], prefix: str, name: str, doc_lines: Lines, shown: str,
            text_lines: Sequence[str]) -> Resource:
    return _resource(rtype, name, dict(obj), _sub(doc_lines, prefix), shown, text_lines)


def _documents(text: str, shown: str) -> Iterator[tuple[Any, dict[str, int]]]:
    for value, lines in parse_documents(text, shown):
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise InputError(shown, f"an Envoy config must be a mapping, not {type(value).__name__}",
                             line=lines.get("", 1) or 1)
        norm = Normalizer(lines, shown)
        yield norm.document(value), norm.lines


def _clusters_by_name(doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The clusters of one document by name (static ones and typed Cluster resources)."""
    found = as_list(as_map(doc.get("static_resources")).get("clusters")) + [
        item for item in as_list(doc.get("resources")) if short_type(item.get("@type")).endswith(".Cluster")]
    return {str(c["name"]): c for c in found if isinstance(c, Mapping) and c.get("name")}


def parse_text(text: str, shown: str, path: Path | None = None) -> list[Resource]:
    try:
        return _parse(text, shown)
    except RecursionError:
        raise InputError(shown, "Envoy config nested too deeply") from None


def _parse(text: str, shown: str) -> list[Resource]:
    text_lines = text.splitlines()
    out: list[Resource] = []
    for doc, raw_lines in _documents(text, shown):
        lines = Lines(raw_lines)
        static = doc.get("static_resources")
        clusters = _clusters_by_name(doc)
        if isinstance(static, Mapping):
            for i, lst in enumerate(as_list(static.get("listeners"))):
                out.append(_listener(lst, f"static_resources.listeners[{i}]", i, lines, shown, text_lines, clusters))
            for i, cl in enumerate(as_list(static.get("clusters"))):
                out.append(_cluster(cl, f"static_resources.clusters[{i}]", i, lines, shown, text_lines))
            for i, sec in enumerate(as_list(static.get("secrets"))):
                out.append(_simple("envoy_secret", sec, f"static_resources.secrets[{i}]",
                                   str(sec.get("name") or f"secrets[{i}]"), lines, shown, text_lines))
        if isinstance(doc.get("admin"), Mapping):
            out.append(_simple("envoy_admin", doc["admin"], "admin", "admin", lines, shown, text_lines))
        for i, item in enumerate(as_list(doc.get("resources"))):
            kind = short_type(item.get("@type"))
            prefix = f"resources[{i}]"
            if kind.endswith(".Listener"):
                out.append(_listener(item, prefix, i, lines, shown, text_lines, clusters))
            elif kind.endswith(".Cluster"):
                out.append(_cluster(item, prefix, i, lines, shown, text_lines))
            elif kind.endswith(".Secret"):
                out.append(_simple("envoy_secret", item, prefix, str(item.get("name") or prefix), lines, shown,
                                   text_lines))
    return out
