"""Envoy listeners described: bind address, filter chains with their transport, TLS parameters.

The HTTP connection manager of a chain is described by ``envoy_http``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from soc2iac.model import Unknown
from soc2iac.parsers.envoy_http import HttpViews, is_hcm
from soc2iac.parsers.envoy_normalize import as_list, as_map, short_type, typed_config


class ListenerViews(HttpViews):
    """The view attributes of a listener (and the TLS view of a cluster), with their lines."""

    clusters: Mapping[str, Mapping[str, Any]] = {}  # the clusters of the same document, by name

    # -- TLS ----------------------------------------------------------------------
    def tls_view(self, ctx: Mapping[str, Any], ctx_path: str, at: str, dst: str, direction: str) -> dict[str, Any]:
        self.line(dst, ctx_path)
        params = as_map(as_map(ctx.get("common_tls_context")).get("tls_params"))
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
        addr = as_map(lst.get("address"))
        sock = as_map(addr.get("socket_address"))
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
        sources = [(fc, f"filter_chains[{i}]") for i, fc in enumerate(as_list(lst.get("filter_chains")))]
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
        for j, entry in enumerate(as_list(fc.get("filters"))):
            if is_hcm(entry):
                cfg, key = typed_config(entry)
                cfg_path = f"{path}.filters[{j}]" + (f".{key}" if key else "")
                hcm = self.http(as_map(cfg), cfg_path, f"{dst}.http")
                break
        transport, ctx, ctx_path = self.transport(fc, path)
        if ctx is not None:
            t = len(tls)
            tls.append(self.tls_view(ctx, ctx_path, ctx_path, f"tls_contexts[{t}]", "downstream"))
        view["transport"] = transport
        view["protocol"] = transport if isinstance(transport, Unknown) else transport.partition(" (")[0]
        for key in ("transport", "protocol"):
            self.line(f"{dst}.{key}", f"{path}.transport_socket" if "transport_socket" in fc else path)
        if hcm is not None:
            view["http"] = hcm
        return view

    def transport(self, fc: Mapping[str, Any], path: str) -> tuple[Any, Mapping[str, Any] | None, str]:
        """(description, DownstreamTlsContext or None, its path) of a filter chain. The
        description is ``<protocol> (<what sets it>)``, protocol tls, tls passthrough or
        plaintext; an unrecognised transport socket is unknown. A chain without a transport
        socket that matches on ``server_names`` or ``application_protocols`` passes TLS through
        unopened (``tls_inspector`` + ``tcp_proxy``, TLS terminated upstream): SNI and ALPN come
        only from a TLS ClientHello, so a plaintext connection never selects it."""
        ts = fc.get("transport_socket")
        ts_path = f"{path}.transport_socket"
        if not isinstance(ts, Mapping) and isinstance(fc.get("tls_context"), Mapping):  # v2 API
            return "tls (tls_context)", fc["tls_context"], f"{path}.tls_context"
        for _ in range(5):  # tap / tcp_stats wrap an inner transport socket
            if not isinstance(ts, Mapping):
                break
            cfg, key = typed_config(ts)
            cfg_path = f"{ts_path}.{key}" if key else ts_path
            cfg = as_map(cfg)
            type_name = short_type(cfg.get("@type"))
            name = str(ts.get("name") or "")
            if type_name.endswith(".DownstreamTlsContext") or (not type_name and re.search(r"(^|\.)tls$", name)):
                return "tls (DownstreamTlsContext)", cfg, cfg_path
            if type_name.endswith(".QuicDownstreamTransport"):
                return "tls (QUIC)", as_map(cfg.get("downstream_tls_context")), f"{cfg_path}.downstream_tls_context"
            if type_name.endswith(".StartTlsConfig"):
                return "tls (STARTTLS)", as_map(cfg.get("tls_socket_config")), f"{cfg_path}.tls_socket_config"
            if type_name.endswith(".Alts") or name.endswith("alts"):
                return "tls (ALTS)", None, cfg_path
            if isinstance(cfg.get("transport_socket"), Mapping):
                ts, ts_path = cfg["transport_socket"], f"{cfg_path}.transport_socket"
                continue
            if type_name.endswith(".RawBuffer") or name.endswith("raw_buffer"):
                return "plaintext (raw_buffer transport socket)", None, ts_path
            return Unknown(f"transport socket {type_name or name or '(unnamed)'} is not recognised"), None, ts_path
        match = as_map(fc.get("filter_chain_match"))
        if match.get("transport_protocol") == "tls":
            return "tls passthrough (filter_chain_match.transport_protocol: tls)", None, path
        for key in ("server_names", "application_protocols"):  # SNI and ALPN exist only in a TLS ClientHello
            if isinstance(match.get(key), list) and match[key]:
                return f"tls passthrough (filter_chain_match.{key}: only TLS connections carry them)", None, path
        upstream = self._tls_upstream(fc)
        if upstream:
            return f"tls passthrough ({upstream})", None, path
        return "plaintext (no transport_socket)", None, path

    def _tls_upstream(self, fc: Mapping[str, Any]) -> str | None:
        """Why a chain that only runs tcp_proxy passes TLS through: its cluster (in the same file)
        reaches every endpoint on port 443 and has no transport socket of its own, so Envoy forwards
        the client's bytes to a TLS server, which terminates TLS (Envoy's tls/https-passthrough example)."""
        filters = as_list(fc.get("filters"))
        if len(filters) != 1:
            return None
        cfg, _ = typed_config(filters[0])
        cfg = as_map(cfg)
        if not (short_type(cfg.get("@type")).endswith(".TcpProxy") or str(filters[0].get("name", "")).endswith("tcp_proxy")):
            return None
        name = cfg.get("cluster")
        cluster = self.clusters.get(str(name)) if isinstance(name, str) else None
        if cluster is None or cluster.get("transport_socket") or cluster.get("transport_socket_matches"):
            return None
        ports = [as_map(as_map(as_map(lb.get("endpoint")).get("address")).get("socket_address")).get("port_value")
                 for ep in as_list(as_map(cluster.get("load_assignment")).get("endpoints"))
                 for lb in as_list(as_map(ep).get("lb_endpoints"))]
        if ports and all(str(p) == "443" for p in ports):
            return f"tcp_proxy to cluster {name} on port 443, which Envoy does not encrypt itself: TLS is the client's, terminated upstream"
        return None
