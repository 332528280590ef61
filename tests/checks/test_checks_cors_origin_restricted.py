"""Check kind cors_origin_restricted on the header descriptions the nginx parser gives:
effective values, gating by ``if`` and ``map``, and the outcome (pass, fail)."""

from __future__ import annotations

from typing import Any

import pytest

from soc2iac.checks import cors_origin_restricted as kind
from soc2iac.model import Location, Resource

ORIGIN_IF = {"condition": ["$http_origin", "~*", "^https://(b|c)\\.example\\.com$"], "variables": ["$cors"]}
ALLOW_LIST = {"source": "$http_origin", "variable": "$ok",
              "entries": [["default", ""], ["~^https://a\\.example\\.com$", "$http_origin"]]}


def header(written: str, **facts: Any) -> dict[str, Any]:
    return {"written": written, "via_map": "", "credentials": False, "directive": "add_header", "sets_under_if": [],
            **facts}


@pytest.mark.parametrize(("facts", "expected"), [
    (header("*"), ("*", False)),
    (header("$http_origin"), ("$http_origin", False)),
    (header("https://app.example.com"), ("https://app.example.com", False)),
    # sent only inside an if that matches the origin against a pattern
    (header("$http_origin", condition=["$http_origin", "~", "^https://a\\.example\\.com$"]), ("$http_origin", True)),
    (header("$http_origin", condition=["$http_origin", "~*", ".*"]), ("$http_origin", False)),
    (header("$http_origin", condition=["$http_origin", "!~", "^https://a$"]), ("$http_origin", False)),
    (header("*", condition=["$request_method", "=", "OPTIONS"]), ("*", False)),
    # ... or inside an if on a variable set where the origin was matched
    (header("$http_origin", condition=["$cors", "=", "on"], sets_under_if=[ORIGIN_IF]), ("$http_origin", True)),
    (header("$http_origin", condition=["$cors_ok"], sets_under_if=[ORIGIN_IF]), ("$http_origin", True)),
    (header("$http_origin", condition=["$cors", "=", "on"],
            sets_under_if=[{"condition": ["$http_origin", "~", ".*"], "variables": ["$cors"]}]), ("$http_origin", False)),
    # from a map of $http_origin
    (header("$ok", via_map="$ok", map=ALLOW_LIST), ("<allow-list map $ok>", True)),
    (header("$ok", via_map="$ok", map={**ALLOW_LIST, "entries": [["default", "$http_origin"]]}), ("$http_origin", False)),
    (header("$ok", via_map="$ok", map={**ALLOW_LIST, "entries": [["~*^https?://.*$", "$http_origin"]]}),
     ("$http_origin", False)),
    (header("$ok", via_map="$ok", map={**ALLOW_LIST, "entries": [["default", "*"]]}), ("*", True)),
    (header("$ok", via_map="$ok", map={"source": "$http_host", "variable": "$ok", "entries": []}),
     ("<map of $http_host>", True)),
])
def test_effective(facts: dict[str, Any], expected: tuple[str, bool]) -> None:
    assert kind.effective(facts) == expected


def location(*headers: dict[str, Any]) -> Resource:
    return Resource(source="nginx", type="nginx_location", name="/", address="nginx.conf/server/location(/)",
                    attributes={"cors_allow_origin": list(headers), "proxied": True},
                    location=Location("nginx.conf", 3, 9), lines={"cors_allow_origin[0]": 5, "cors_allow_origin[1]": 6})


CHECK = {"kind": "cors_origin_restricted", "headers": "cors_allow_origin", "any_origin": ["*", "$http_origin"]}


def test_fail_on_the_first_header_that_lets_every_origin_in() -> None:
    res = location(header("$ok", via_map="$ok", map=ALLOW_LIST), header("*"))
    outcome = kind.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert outcome.verdict == "fail"
    assert outcome.message == "cors_allow_origin[1].value is '*'; cors_allow_origin[1].gated is false"
    assert outcome.path == "cors_allow_origin[1].value"
    assert res.line_of(outcome.path) == 6


def test_pass_names_how_many_headers_were_checked() -> None:
    res = location(header("$http_origin", condition=["$cors", "=", "on"], sets_under_if=[ORIGIN_IF]))
    outcome = kind.evaluate(res, CHECK, None)  # type: ignore[arg-type]
    assert (outcome.verdict, outcome.message, outcome.path) == (
        "pass", "no entry of cors_allow_origin matches (1 checked)", "cors_allow_origin")
    assert kind.evaluate(location(), CHECK, None).message == (  # type: ignore[arg-type]
        "no entry of cors_allow_origin matches (0 checked)")


def test_any_origin_is_a_parameter() -> None:
    res = location(header("$http_origin"))
    outcome = kind.evaluate(res, {**CHECK, "any_origin": ["*"]}, None)  # type: ignore[arg-type]
    assert outcome.verdict == "pass"
