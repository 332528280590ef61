"""Check kind ``chains_encrypted``: every filter chain of an Envoy listener encrypts its
connections, or only redirects them to https.

Reads the filter chains the Envoy parser describes at ``chains`` (default ``chains``): each
with its transport's ``protocol`` (``tls``, ``tls passthrough`` or ``plaintext``), the
``transport`` description and, for an HTTP chain, its ``http.virtual_hosts``. A chain
passes when its protocol is ``tls`` (a TLS transport socket: DownstreamTlsContext, QUIC,
STARTTLS, ALTS) or ``tls passthrough`` (it only accepts TLS connections it passes on
unopened), or when it is plaintext HTTP whose every virtual host requires TLS
(``require_tls`` ALL or EXTERNAL_ONLY) or only redirects to https (at least one virtual
host or route, and no route that does anything else; routes from RDS are not in the file
and do not count). An unrecognised transport socket is unknown. The first chain that
fails decides, else the first unknown one.

Passes: a chain with ``transport_socket`` ``envoy.transport_sockets.tls``; a plaintext
listener whose only route is ``redirect: {https_redirect: true}``.
Fails: a chain without a transport socket that forwards requests (the finding points at
the chain).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soc2iac.checks.base import Context, Outcome, every
from soc2iac.model import MISSING, Resource, Unknown, join_path, resolve
from soc2iac.redact import describe

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"const": "chains_encrypted"},
        "chains": {"type": "string", "description": "Path of the filter chain descriptions."},
    },
}

ENCRYPTED = ("tls", "tls passthrough")


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome:
    where = str(check.get("chains") or "chains")
    fails: list[tuple[str, str]] = []
    unknowns: list[tuple[str, str]] = []
    count = 0
    for path, chains in resolve(resource.attributes, where):
        if chains is None or chains is MISSING:
            continue
        if isinstance(chains, Unknown):
            return every(where, count, [], [(path, f"{path} is {describe(chains)}")])
        items = list(enumerate(chains)) if isinstance(chains, list) else [(None, chains)]
        for k, chain in items:
            count += 1
            at = join_path(join_path(path, k) if k is not None else path, "transport")
            facts = chain if isinstance(chain, Mapping) else {}
            transport = facts.get("transport")
            if transport is None:
                fails.append((at, f"{at} is not set"))
            elif isinstance(transport, Unknown):
                unknowns.append((at, f"{at} cannot be known statically: {transport.reason}"))
            elif not encrypted(facts):
                fails.append((at, f"{at} is {describe(transport, at)}, expected TLS or a redirect to https"))
    return every(where, count, fails, unknowns)


def encrypted(chain: Mapping[str, Any]) -> bool:
    """Whether one filter chain's connections are encrypted, or only redirected to https."""
    protocol = chain.get("protocol")
    if protocol in ENCRYPTED:
        return True
    http = chain.get("http")
    return protocol == "plaintext" and isinstance(http, Mapping) and redirects_only(http.get("virtual_hosts"))


def redirects_only(virtual_hosts: Any) -> bool:
    """Whether every virtual host requires TLS or only redirects to https (and there is one)."""
    if not isinstance(virtual_hosts, list):
        return False  # routes from RDS: what they do is not in the file
    seen = False
    for vh in virtual_hosts:
        vh = vh if isinstance(vh, Mapping) else {}
        if str(vh.get("require_tls") or "NONE") in ("ALL", "EXTERNAL_ONLY"):
            seen = True
            continue
        for route in vh.get("routes") or []:
            if not (isinstance(route, Mapping) and route.get("action") == "redirect"
                    and str(route.get("redirect_scheme", "")).lower() == "https"):
                return False
            seen = True
    return seen
