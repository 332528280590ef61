"""Check kind chains_encrypted on the filter chains the Envoy parser describes: TLS,
passthrough, plaintext that only redirects to https, and the outcome (pass, fail, unknown)."""

from __future__ import annotations

from typing import Any

import pytest

from soc2iac.checks import chains_encrypted as kind
from soc2iac.model import Location, Resource, Unknown

TO_HTTPS = {"action": "redirect", "redirect_scheme": "https"}
FORWARD = {"action": "route"}


def chain(protocol: str, detail: str = "no transport_socket", virtual_hosts: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"at": "filter_chains[0]", "transport": f"{protocol} ({detail})", "protocol": protocol}
    if virtual_hosts is not None:
        out["http"] = {"virtual_hosts": virtual_hosts}
    return out


def vh(*routes: dict[str, Any], **facts: Any) -> dict[str, Any]:
    return {"name": "app", "routes": list(routes), **facts}


@pytest.mark.parametrize(("facts", "ok"), [
    (chain("tls", "DownstreamTlsContext"), True),
    (chain("tls passthrough", "filter_chain_match.transport_protocol: tls"), True),
    (chain("plaintext"), False),
    (chain("plaintext", virtual_hosts=[vh(TO_HTTPS)]), True),
    (chain("plaintext", virtual_hosts=[vh({"action": "redirect", "redirect_scheme": "HTTPS"})]), True),
    (chain("plaintext", virtual_hosts=[vh(TO_HTTPS, FORWARD)]), False),
    (chain("plaintext", virtual_hosts=[vh({"action": "redirect", "redirect_scheme": ""})]), False),
    (chain("plaintext", virtual_hosts=[vh(FORWARD, require_tls="ALL")]), True),
    (chain("plaintext", virtual_hosts=[vh(FORWARD, require_tls="EXTERNAL_ONLY"), vh(TO_HTTPS)]), True),
    (chain("plaintext", virtual_hosts=[vh(FORWARD, require_tls="NONE")]), False),
    (chain("plaintext", virtual_hosts=[]), False),  # nothing redirects
    (chain("plaintext", virtual_hosts=[vh()]), False),
    (chain("plaintext", virtual_hosts=Unknown("routes come from RDS (not in this file)")), False),
])
def test_encrypted(facts: dict[str, Any], ok: bool) -> None:
    assert kind.encrypted(facts) is ok


def listener(*chains: dict[str, Any]) -> Resource:
    return Resource(source="envoy", type="envoy_listener", name="l", address="envoy_listener.l",
                    attributes={"chains": list(chains)}, location=Location("envoy.yaml", 3, 30),
                    lines={"chains": 3, "chains[0].transport": 8, "chains[1].transport": 20})


CHECK = {"kind": "chains_encrypted", "chains": "chains"}


def test_fail_names_the_first_plaintext_chain() -> None:
    res = listener(chain("tls", "DownstreamTlsContext"), chain("plaintext", virtual_hosts=[vh(FORWARD)]))
    outcome = kind.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "fail"
    assert outcome.message == ("chains[1].transport is 'plaintext (no transport_socket)', expected TLS or a "
                               "redirect to https")
    assert res.line_of(outcome.path) == 20


def test_unknown_transport_socket() -> None:
    unknown = {"at": "filter_chains[0]", "transport": Unknown("transport socket acme.HsmTls is not recognised"),
               "protocol": Unknown("transport socket acme.HsmTls is not recognised")}
    outcome = kind.evaluate(listener(unknown, chain("tls")), CHECK, None)  # type: ignore[arg-type]
    assert (outcome.verdict, outcome.path) == ("unknown", "chains[0].transport")
    assert outcome.message == "chains[0].transport cannot be known statically: transport socket acme.HsmTls is not recognised"
    # a failing chain decides over an unknown one
    assert kind.evaluate(listener(unknown, chain("plaintext")), CHECK, None).verdict == "fail"  # type: ignore[arg-type]


def test_pass() -> None:
    outcome = kind.evaluate(listener(chain("tls"), chain("plaintext", virtual_hosts=[vh(TO_HTTPS)])), CHECK,
                            None)  # type: ignore[arg-type]
    assert (outcome.verdict, outcome.message, outcome.path) == ("pass", "every entry of chains holds (2)", "chains")
    assert kind.evaluate(listener(), CHECK, None).message == "chains has no entries"  # type: ignore[arg-type]
