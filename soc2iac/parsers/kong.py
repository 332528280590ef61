"""Kong Gateway configs -> resources (source ``kong``).

Two formats, both detected by content:

- **Declarative config** (decK state files, DB-less ``kong.yml``; YAML or JSON,
  recognised by a top-level ``_format_version``, ``_transform``, ``_workspace``
  or ``_konnect``). Every entity becomes a resource: ``kong_service``,
  ``kong_route``, ``kong_plugin``, ``kong_consumer``, ``kong_credential`` (a
  top-level credential list entry such as ``keyauth_credentials``),
  ``kong_upstream``, ``kong_certificate`` and ``kong_<entity>`` for the other
  collections (``ca_certificates``, ``vaults``, ``keys``, ``consumer_groups``,
  ...). Routes may be nested in services or top-level with a ``service``
  reference (by name or id, a string or ``{name: ...}``/``{id: ...}``); plugins
  may be top-level (global, or scoped by ``service``/``route``/``consumer``
  fields) or nested in a service, route, consumer or consumer group.

  Each route carries the plugins that apply to it, resolved the way Kong's
  plugins iterator does for a request without an identified consumer: only
  enabled plugins whose ``protocols`` include an HTTP-subsystem protocol count
  (a disabled plugin does not shadow a less specific one), and for each plugin
  name the most specific scope wins: route+service > route > service > global.
  Consumer- and consumer-group-scoped plugins only run once a consumer is
  identified, so they never count. The result is ``effective_plugins`` (name ->
  the plugin's fields plus ``scope`` and ``defined_at``, with the lines of the
  plugin's definition) and ``effective_plugin_names``; services get the same
  from the service and global scopes. When a route refers to a service that is
  not defined in the same file (decK can split state over several files), the
  service scope is unknown: ``effective_plugin_names`` then holds an unknown
  entry, so "some auth plugin applies" is true on a known hit and unknown
  otherwise, never a guessed fail.

  Kong vault references (``{vault://env/name}``) become unknown values: they are
  resolved at runtime and are not literals.

- **kong.conf** (``key = value`` lines, ``#`` comments, ``\\#`` for a literal
  ``#``): one ``kong_conf`` resource whose attributes are the keys as strings,
  each with its line; an empty value counts as unset.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from soc2iac.parsers import comment_markers, one_line, unique_address
from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, Unknown, join_path
from soc2iac.parsers.kubernetes import parse_documents

SOURCE = "kong"
SUFFIXES = {".yaml", ".yml", ".json", ".conf"}

# -- detection -------------------------------------------------------------------------

_YAML_MARKER = re.compile(r"""^["']?(?:_format_version|_transform|_workspace|_konnect|_info)["']?\s*:""", re.MULTILINE)
_JSON_MARKER = re.compile(r'"(?:_format_version|_transform|_workspace|_konnect|_info)"\s*:')
# decK accepts a file without any of those (its own example kong.yaml starts with `services:`): a
# top-level `services:` that is a LIST of entities with a url or host (docker-compose's `services:`
# is a mapping), and no top-level apiVersion/kind
_DECK_SERVICES = re.compile(r"^services:[ \t]*\n(?:[ \t]*(?:#.*)?\n)*[ \t]*-[ \t]", re.MULTILINE)
_DECK_SERVICE_KEY = re.compile(r"^[ \t]+-?[ \t]*(?:url|host):[ \t]*\S", re.MULTILINE)
_K8S_TOP = re.compile(r"^(?:apiVersion|kind):", re.MULTILINE)

_CONF_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")
# keys only kong.conf has (any one of them identifies the file) ...
_KONG_ONLY_KEYS = frozenset({
    "admin_listen", "admin_gui_listen", "proxy_listen", "stream_listen", "status_listen", "cluster_listen",
    "ssl_cipher_suite", "declarative_config", "cluster_control_plane", "cluster_cert", "cluster_cert_key",
    "cluster_mtls", "anonymous_reports", "nginx_worker_processes", "nginx_main_worker_processes",
    "proxy_access_log", "proxy_error_log", "admin_access_log", "admin_error_log", "admin_ssl_cert",
    "admin_ssl_cert_key", "admin_gui_url", "admin_gui_path", "lua_ssl_trusted_certificate", "pg_host",
    "pg_user", "pg_database", "pg_password", "mem_cache_size", "db_update_frequency", "router_flavor",
    "upstream_keepalive_pool_size", "dedicated_config_processing", "vaults", "kong_env",
})
# ... and keys shared with other formats (two of them, or one plus the file name, identify it)
_KONG_KEYS = _KONG_ONLY_KEYS | frozenset({
    "ssl_protocols", "ssl_ciphers", "ssl_cert", "ssl_cert_key", "database", "plugins", "log_level",
    "prefix", "role", "dns_resolver", "trusted_ips", "real_ip_header", "headers", "client_ssl",
})


def detect(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".conf":
        return _looks_like_kong_conf(path, text)
    if _YAML_MARKER.search(text):
        return True
    if _DECK_SERVICES.search(text) and _DECK_SERVICE_KEY.search(text) and not _K8S_TOP.search(text):
        return True
    return text.lstrip().startswith("{") and bool(_JSON_MARKER.search(text))


def _looks_like_kong_conf(path: Path, text: str) -> bool:
    content = keyed = 0
    keys: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        content += 1
        m = _CONF_LINE.match(raw)
        if m:
            keyed += 1
            keys.add(m.group(1))
    named = path.name.endswith("kong.conf")
    if not content:
        return named  # every line commented out (a copy of kong.conf.default): all defaults
    if keyed < 0.8 * content:
        return False
    if keys & _KONG_ONLY_KEYS:
        return True
    known = keys & _KONG_KEYS
    return len(known) >= 2 or (bool(known) and named)


# -- entry point -----------------------------------------------------------------------

def parse_text(text: str, shown: str, path: Path | None = None) -> list[Resource]:
    if path is not None and path.suffix.lower() == ".conf":
        return [parse_conf(text, shown)]
    if path is None and not (_YAML_MARKER.search(text) or _JSON_MARKER.search(text)):
        return [parse_conf(text, shown)]
    return parse_declarative(text, shown)


# -- kong.conf -------------------------------------------------------------------------

_VAULT_REF = re.compile(r"^\{vault://[^}]+\}$")
_COMMENT = re.compile(r"(?<!\\)#.*$")


def parse_conf(text: str, shown: str) -> Resource:
    """``kong.conf`` -> one ``kong_conf`` resource (the last of a repeated key wins, as in Kong)."""
    if "\x00" in text:
        raise InputError(shown, "binary file (contains NUL bytes)")
    attrs: dict[str, Any] = {}
    lines: dict[str, int] = {}
    rows = text.splitlines()
    i = 0
    while i < len(rows):
        lineno = i + 1
        raw = rows[i]
        i += 1
        while raw.endswith("\\") and not raw.endswith("\\\\") and i < len(rows):  # line continuation
            raw = raw[:-1] + rows[i].lstrip()
            i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _CONF_LINE.match(raw)
        if not m:
            raise InputError(shown, "invalid kong.conf line: expected `key = value`", line=lineno)
        key = m.group(1)
        value = _COMMENT.sub("", m.group(2)).replace("\\#", "#").strip()
        attrs[key] = _conf_value(value)
        lines[key] = lineno
    name = Path(shown).name
    return Resource(
        source=SOURCE, type="kong_conf", name=name, address=f"kong:conf/{shown}", attributes=attrs,
        location=Location(shown, 1, max(len(rows), 1)), lines=lines,
        comments=comment_markers(rows, 1, len(rows)),
    )


def _conf_value(value: str) -> Any:
    if value == "":
        return None  # `key =` leaves the setting at its default
    if _VAULT_REF.match(value):
        return Unknown(f"a Kong vault reference ({value}), resolved at runtime")
    return value


# -- declarative config ----------------------------------------------------------------

CREDENTIAL_LISTS = (
    "keyauth_credentials", "basicauth_credentials", "jwt_secrets", "hmacauth_credentials",
    "oauth2_credentials", "acls", "mtls_auth_credentials",
)
HANDLED = {"services", "routes", "plugins", "consumers", "upstreams", "certificates", *CREDENTIAL_LISTS}
# protocols served by Kong's http subsystem (a plugin or route with none of them is stream-only)
HTTP_PROTOCOLS = frozenset({"http", "https", "grpc", "grpcs", "ws", "wss"})
SCOPE_RANK = {"route+service": 3, "route": 2, "service": 1, "global": 0}


class _Doc:
    """One declarative document: its values, its path -> line map and the file's text lines."""

    def __init__(self, value: Mapping[str, Any], lines: dict[str, int], rows: list[str], shown: str) -> None:
        self.value = value
        self.lines = lines
        self.rows = rows
        self.shown = shown
        self.addresses: set[str] = set()
        self._sorted = sorted(lines)
        self._sub: dict[str, dict[str, int]] = {}

    def sub_lines(self, prefix: str) -> dict[str, int]:
        """The lines of the paths under ``prefix``, relative to it (``""`` for the prefix itself)."""
        cached = self._sub.get(prefix)
        if cached is None:
            cached = {}
            # the paths starting with prefix are one run of the sorted list
            for p in self._sorted[bisect_left(self._sorted, prefix):bisect_left(self._sorted, prefix + "\U0010ffff")]:
                if p == prefix:
                    cached[""] = self.lines[p]
                elif p[len(prefix)] in ".[":
                    rest = p[len(prefix):]
                    cached[rest[1:] if rest.startswith(".") else rest] = self.lines[p]
            self._sub[prefix] = cached
        return dict(cached)

    def line(self, path: str) -> int:
        return self.lines.get(path, 0)

    def unique(self, address: str) -> str:
        return unique_address(self.addresses, address)

    def entity_list(self, container: Mapping[str, Any], key: str, base: str) -> list[tuple[str, Mapping[str, Any]]]:
        """``container[key]`` as (path, mapping) pairs; :class:`InputError` when it is not a list of mappings."""
        raw = container.get(key)
        path = join_path(base, key)
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise InputError(self.shown, f"Kong declarative config: {one_line(path)} must be a list",
                             line=self.line(path))
        out = []
        for i, item in enumerate(raw):
            item_path = join_path(path, i)
            if not isinstance(item, Mapping):
                raise InputError(self.shown, f"Kong declarative config: {one_line(item_path)} must be a mapping",
                                 line=self.line(item_path))
            out.append((item_path, item))
        return out


class _Plugin:
    def __init__(self, path: str, fields: Mapping[str, Any], scope: dict[str, str]) -> None:
        self.path = path
        self.fields = fields
        self.scope = scope  # "service"/"route"/"consumer"/"consumer_group" -> reference
        self.address = ""

    @property
    def name(self) -> str:
        return str(self.fields.get("name") or "<unnamed>")

    def scope_name(self) -> str:
        parts = [k for k in ("route", "service", "consumer", "consumer_group") if k in self.scope]
        return "+".join(parts) if parts else "global"

    def runs_for_http(self) -> bool:
        if self.fields.get("enabled", True) is False:
            return False
        protocols = self.fields.get("protocols")
        if not isinstance(protocols, list) or not protocols:
            return True
        return any(str(p) in HTTP_PROTOCOLS for p in protocols)


def parse_declarative(text: str, shown: str) -> list[Resource]:
    rows = text.splitlines()
    if text.lstrip().startswith("{"):  # JSON: as strict as Kong's decoder (YAML would accept trailing commas)
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(shown, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        except RecursionError:
            raise InputError(shown, "invalid JSON: nested too deeply") from None
    out: list[Resource] = []
    for value, lines in parse_documents(text, shown):
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise InputError(shown, "Kong declarative config: the top level must be a mapping",
                             line=lines.get("", 0))
        try:
            out.extend(_document(_Doc(_vault_refs(value), lines, rows, shown)))
        except RecursionError:
            raise InputError(shown, "Kong declarative config nested too deeply") from None
    return out


def _vault_refs(value: Any) -> Any:
    if isinstance(value, str) and _VAULT_REF.match(value.strip()):
        return Unknown(f"a Kong vault reference ({value.strip()}), resolved at runtime")
    if isinstance(value, Mapping):
        return {k: _vault_refs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_vault_refs(v) for v in value]
    return value


def _ref(value: Any) -> str | None:
    """A foreign key as written: ``name``, ``{name: ...}`` or ``{id: ...}``."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("id") or value.get("username")
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
        return str(value)
    return None


def _ident(fields: Mapping[str, Any], *keys: str) -> set[str]:
    """The entity's names and ids (what a foreign key may say)."""
    return {str(v) for v in (fields.get(k) for k in keys) if isinstance(v, (str, int)) and not isinstance(v, bool)}


def _document(doc: _Doc) -> Iterator[Resource]:
    top = doc.value
    plugins: list[_Plugin] = []
    services: list[tuple[str, Mapping[str, Any], str]] = []  # (path, fields, display name)
    routes: list[tuple[str, Mapping[str, Any], str | None, str]] = []  # (path, fields, service ref, name)

    for s_i, (s_path, svc) in enumerate(doc.entity_list(top, "services", "")):
        s_name = _display(svc, ("name", "id", "host"), f"#{s_i + 1}")
        services.append((s_path, svc, s_name))
        s_ref = _ref(svc.get("name")) or _ref(svc.get("id")) or s_name
        for p_path, p in doc.entity_list(svc, "plugins", s_path):
            plugins.append(_Plugin(p_path, p, _explicit_scope(p, service=s_ref)))
        for r_i, (r_path, route) in enumerate(doc.entity_list(svc, "routes", s_path)):
            r_name = _display(route, ("name", "id"), f"{s_name}#{r_i + 1}")
            routes.append((r_path, route, s_ref, r_name))
            r_ref = _ref(route.get("name")) or _ref(route.get("id")) or r_name
            for p_path, p in doc.entity_list(route, "plugins", r_path):
                plugins.append(_Plugin(p_path, p, _explicit_scope(p, route=r_ref)))
    for r_i, (r_path, route) in enumerate(doc.entity_list(top, "routes", "")):
        r_name = _display(route, ("name", "id"), f"#{r_i + 1}")
        routes.append((r_path, route, _ref(route.get("service")), r_name))
        r_ref = _ref(route.get("name")) or _ref(route.get("id")) or r_name
        for p_path, p in doc.entity_list(route, "plugins", r_path):
            plugins.append(_Plugin(p_path, p, _explicit_scope(p, route=r_ref)))
    for p_path, p in doc.entity_list(top, "plugins", ""):
        plugins.append(_Plugin(p_path, p, _explicit_scope(p)))
    consumers = doc.entity_list(top, "consumers", "")
    for c_i, (c_path, consumer) in enumerate(consumers):
        c_ref = _display(consumer, ("username", "custom_id", "id"), f"#{c_i + 1}")
        for p_path, p in doc.entity_list(consumer, "plugins", c_path):
            plugins.append(_Plugin(p_path, p, _explicit_scope(p, consumer=c_ref)))
    groups = doc.entity_list(top, "consumer_groups", "")
    for g_i, (g_path, group) in enumerate(groups):
        g_ref = _display(group, ("name", "id"), f"#{g_i + 1}")
        for p_path, p in doc.entity_list(group, "plugins", g_path):
            plugins.append(_Plugin(p_path, p, _explicit_scope(p, consumer_group=g_ref)))

    for plugin in plugins:
        label = plugin.fields.get("instance_name")
        where = plugin.scope_name()
        target = "/".join(f"{k}/{plugin.scope[k]}" for k in ("route", "service", "consumer", "consumer_group")
                          if k in plugin.scope)
        plugin.address = doc.unique(f"kong:plugin/{label}" if isinstance(label, str) and label
                                    else f"kong:plugin/{plugin.name}@{target or where}")

    index = _PluginIndex(plugins)
    service_ids: dict[str, str] = {}  # any name or id of a service -> its display name
    idents_of: dict[str, set[str]] = {}  # display name -> its names and ids
    for s_path, svc, s_name in services:
        idents_of[s_name] = _ident(svc, "name", "id") | {s_name}
        for ident in idents_of[s_name]:
            service_ids.setdefault(ident, s_name)

    routes_of: dict[str, list[str]] = {}
    for _, _, ref, r_name in routes:
        if ref is not None and ref in service_ids:
            routes_of.setdefault(service_ids[ref], []).append(r_name)
    for s_path, svc, s_name in services:
        attrs = {k: v for k, v in svc.items() if k not in ("routes", "plugins")}
        attrs["route_names"] = routes_of.get(s_name, [])
        chosen = index.effective(route_ids=set(), service_ids=idents_of[s_name])
        yield _entity(doc, "kong_service", s_name, f"kong:service/{s_name}", s_path, attrs, chosen)

    for r_path, route, wanted, r_name in routes:
        attrs = {k: v for k, v in route.items() if k != "plugins"}
        owner = service_ids.get(wanted) if wanted is not None else None
        if wanted is not None:
            attrs["service"] = owner or wanted
        sids = idents_of.get(owner, set()) if owner is not None else set()
        rids = _ident(route, "name", "id") | {r_name}
        chosen = index.effective(route_ids=rids, service_ids=sids)
        yield _entity(doc, "kong_route", r_name, f"kong:route/{r_name}", r_path, attrs, chosen,
                      unknown_service=wanted if wanted is not None and owner is None else None)

    for plugin in plugins:
        attrs = dict(plugin.fields)
        for key, ref in plugin.scope.items():
            attrs.setdefault(key, ref)
        attrs["scope"] = plugin.scope_name()
        yield _resource(doc, "kong_plugin", plugin.name, plugin.address, plugin.path, attrs)

    for c_i, (c_path, consumer) in enumerate(consumers):
        c_name = _display(consumer, ("username", "custom_id", "id"), f"#{c_i + 1}")
        attrs = {k: v for k, v in consumer.items() if k != "plugins"}
        yield _resource(doc, "kong_consumer", c_name, doc.unique(f"kong:consumer/{c_name}"), c_path, attrs)

    for g_i, (g_path, group) in enumerate(groups):
        g_name = _display(group, ("name", "id"), f"#{g_i + 1}")
        attrs = {k: v for k, v in group.items() if k != "plugins"}
        yield _resource(doc, "kong_consumer_group", g_name, doc.unique(f"kong:consumer_group/{g_name}"),
                        g_path, attrs)

    for kind in CREDENTIAL_LISTS:  # top-level credential entries refer to their consumer
        for e_i, (e_path, entry) in enumerate(doc.entity_list(top, kind, "")):
            consumer_ref = _ref(entry.get("consumer"))
            attrs = {"consumer": consumer_ref, kind: [dict(entry)]} if consumer_ref else {kind: [dict(entry)]}
            label = f"{kind}/{consumer_ref or '#'}#{e_i + 1}"
            lines = {f"{kind}[0]{_suffix(p)}": ln for p, ln in doc.sub_lines(e_path).items()}
            lines[kind] = doc.line(e_path)
            if consumer_ref and "consumer" in entry:
                lines["consumer"] = lines.get(f"{kind}[0].consumer", doc.line(e_path))
            yield _make(doc, "kong_credential", label, doc.unique(f"kong:credential/{label}"), attrs, lines,
                        doc.line(e_path))

    for u_i, (u_path, upstream) in enumerate(doc.entity_list(top, "upstreams", "")):
        u_name = _display(upstream, ("name", "id"), f"#{u_i + 1}")
        yield _resource(doc, "kong_upstream", u_name, doc.unique(f"kong:upstream/{u_name}"), u_path, dict(upstream))

    for c_i, (c_path, cert) in enumerate(doc.entity_list(top, "certificates", "")):
        snis = cert.get("snis")
        first_sni = _ref(snis[0]) if isinstance(snis, list) and snis else None
        c_name = first_sni or _display(cert, ("id",), f"#{c_i + 1}")
        yield _resource(doc, "kong_certificate", c_name, doc.unique(f"kong:certificate/{c_name}"), c_path,
                        dict(cert))

    for key, value in top.items():  # every other entity collection, generically
        if key in HANDLED or key == "consumer_groups" or str(key).startswith("_") or not isinstance(value, list):
            continue
        rtype = "kong_" + _singular(str(key))
        for i, (e_path, entry) in enumerate(doc.entity_list(top, str(key), "")):
            e_name = _display(entry, ("name", "id", "prefix", "kid"), f"#{i + 1}")
            yield _resource(doc, rtype, e_name, doc.unique(f"kong:{_singular(str(key))}/{e_name}"), e_path,
                            dict(entry))


def _suffix(rest: str) -> str:
    if not rest:
        return ""
    return rest if rest.startswith("[") else "." + rest


def _singular(key: str) -> str:
    if key.endswith("ies"):
        return key[:-3] + "y"
    if key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


def _display(fields: Mapping[str, Any], keys: tuple[str, ...], fallback: str) -> str:
    for k in keys:
        v = fields.get(k)
        if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v):
            return str(v)
    return fallback


def _explicit_scope(fields: Mapping[str, Any], **nested: str) -> dict[str, str]:
    """The plugin's scope: its nesting plus any explicit ``service``/``route``/``consumer`` fields."""
    scope = dict(nested)
    for key in ("service", "route", "consumer", "consumer_group"):
        ref = _ref(fields.get(key))
        if ref is not None:
            scope.setdefault(key, ref)
    return scope


class _PluginIndex:
    """The plugins that can run for a request without an identified consumer, by scope."""

    def __init__(self, plugins: list[_Plugin]) -> None:
        self.by_scope: dict[tuple[str | None, str | None], list[tuple[int, _Plugin]]] = {}
        for order, plugin in enumerate(plugins):
            if not plugin.runs_for_http() or "consumer" in plugin.scope or "consumer_group" in plugin.scope:
                continue
            key = (plugin.scope.get("route"), plugin.scope.get("service"))
            self.by_scope.setdefault(key, []).append((order, plugin))

    def effective(self, *, route_ids: set[str], service_ids: set[str]) -> dict[str, tuple[_Plugin, str]]:
        """Plugin name -> (plugin, scope) that Kong runs on this route or service: the most specific wins."""
        candidates: list[tuple[int, int, _Plugin, str]] = []
        keys: list[tuple[tuple[str | None, str | None], str]] = [((None, None), "global")]
        keys += [((None, sid), "service") for sid in sorted(service_ids)]
        keys += [((rid, None), "route") for rid in sorted(route_ids)]
        keys += [((rid, sid), "route+service") for rid in sorted(route_ids) for sid in sorted(service_ids)]
        for key, scope in keys:
            for order, plugin in self.by_scope.get(key, ()):
                candidates.append((SCOPE_RANK[scope], -order, plugin, scope))
        chosen: dict[str, tuple[_Plugin, str]] = {}
        for _, _, plugin, scope in sorted(candidates, key=lambda c: (c[0], c[1])):
            chosen[plugin.name] = (plugin, scope)  # later (more specific, then earlier in the file) wins
        return chosen


def _entity(doc: _Doc, rtype: str, name: str, address: str, path: str, attrs: dict[str, Any],
            chosen: dict[str, tuple[_Plugin, str]], *, unknown_service: str | None = None) -> Resource:
    lines = doc.sub_lines(path)
    effective: dict[str, Any] = {}
    for pname, (plugin, scope) in sorted(chosen.items()):
        key = join_path("effective_plugins", pname)
        effective[pname] = {**plugin.fields, "scope": scope, "defined_at": plugin.address}
        for rest, ln in doc.sub_lines(plugin.path).items():
            lines[key + _suffix(rest)] = ln
    attrs["effective_plugins"] = effective
    names: list[Any] = sorted(effective)
    if unknown_service is not None:
        names.append(Unknown(f"plugins of service {unknown_service!r}, which is not defined in this file"))
    attrs["effective_plugin_names"] = names
    return _make(doc, rtype, name, doc.unique(address), attrs, lines, doc.line(path))


def _resource(doc: _Doc, rtype: str, name: str, address: str, path: str, attrs: dict[str, Any]) -> Resource:
    return _make(doc, rtype, name, address, attrs, doc.sub_lines(path), doc.line(path))


def _make(doc: _Doc, rtype: str, name: str, address: str, attrs: dict[str, Any], lines: dict[str, int],
          start: int) -> Resource:
    lines.pop("", None)
    start = start or min(lines.values(), default=1)
    own_end = max((ln for p, ln in lines.items() if not p.startswith("effective_plugins")), default=start)
    end = max(start, own_end)
    return Resource(
        source=SOURCE, type=rtype, name=name, address=address, attributes=attrs,
        location=Location(doc.shown, start, end), lines=lines,
        comments=_comment_markers(doc.rows, start, end, _child_ranges(lines)),
    )


_CHILD = re.compile(r"^(routes|plugins)\[\d+\]")


def _child_ranges(lines: Mapping[str, int]) -> list[tuple[int, int]]:
    """Line ranges of nested routes and plugins: resources of their own, with their own markers."""
    spans: dict[str, tuple[int, int]] = {}
    for p, ln in lines.items():
        m = _CHILD.match(p)
        if m:
            lo, hi = spans.get(m.group(0), (ln, ln))
            spans[m.group(0)] = (min(lo, ln), max(hi, ln))
    return sorted(spans.values())


def _comment_markers(rows: list[str], start: int, end: int, children: list[tuple[int, int]]) -> tuple[str, ...]:
    """Marker comments (``# soc2iac:ignore=...``) in the entity or right above it, except those
    in (or right above) a nested route or plugin, which belong to that child."""
    first = start
    while first > 1 and rows[first - 2].lstrip().startswith("#"):
        first -= 1
    window = rows[first - 1:end]
    for lo, hi in children:
        while lo > first and rows[lo - 2].lstrip().startswith("#"):
            lo -= 1
        for ln in range(max(lo, first), min(hi, end) + 1):
            window[ln - first] = ""
    return comment_markers(window, start - first + 1, end - first + 1)
