"""Envoy configs normalized, and their line maps (the Envoy parser's first step).

Keys are normalized to snake_case (proto JSON camelCase such as ``filterChains`` is
accepted, also mixed in one file), except the keys of map fields and free-form structs,
which are kept verbatim; ``udpa``/``xds`` ``TypedStruct`` wrappers are unwrapped, a
single mapping where Envoy expects a list is read as a one-element list, and numeric
enums are named. ``Lines`` answers the line of a normalized path (or of its nearest
parent); ``LineRecorder`` records the lines of the views built from it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from typing import Any

from soc2iac.errors import InputError
from soc2iac.model import join_path
from soc2iac.parsers import one_line

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


class Normalizer:
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

class Lines:
    """Lines of one normalized document, with subtree lookups by path prefix."""

    def __init__(self, lines: Mapping[str, int]) -> None:
        self.lines = dict(lines)
        self.keys = sorted(self.lines)

    def get(self, path: str) -> int:
        return line_at(self.lines, path)

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


def line_at(lines: Mapping[str, int], path: str) -> int:
    """The line of ``path``, else of its nearest parent, else of the document."""
    probe = path
    while probe:
        if probe in lines:
            return lines[probe]
        probe = parent_path(probe)
    return lines.get("", 0)


def parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rfind("[")]
    cut = path.rfind(".")
    return path[:cut] if cut > 0 else ""


def rel_path(prefix: str, rel: str) -> str:
    if not rel:
        return prefix
    if rel.startswith("["):
        return prefix + rel
    return f"{prefix}.{rel}" if prefix else rel


# -- small readers -----------------------------------------------------------------

def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def typed_config(entry: Mapping[str, Any]) -> tuple[Any, str]:
    """The config of a filter / transport socket entry and its key (``typed_config`` or v2 ``config``)."""
    for key in ("typed_config", "config"):
        if key in entry:
            return entry[key], key
    return None, ""


class LineRecorder:
    """Records the lines of view attributes, taken from the lines of the config they describe."""

    def __init__(self, lines: Lines) -> None:
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
            self.lines[rel_path(dst, rel)] = ln
        return value
