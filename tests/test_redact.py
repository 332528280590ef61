"""The one redactor (soc2iac.redact): secrets inside structured values, in place."""

from __future__ import annotations

import json

import pytest

from soc2iac.redact import describe, marker, redact_text, redact_value

SECRET = "Hunter2CanaryQx7"


@pytest.mark.parametrize(("text", "kept"), [
    (f"postgres://app:{SECRET}@db:5432/shop", ["postgres://app:", "@db:5432/shop"]),
    (f"redis://:{SECRET}@cache:6379/0", ["redis://:", "@cache:6379/0"]),
    (f"Bearer {SECRET}", ["Bearer "]),
    (f"Authorization: bearer {SECRET}.abc-def", ["Authorization: bearer "]),
    ("Basic YWRtaW46SHVudGVyMkNhbmFyeVF4Nw==", ["Basic "]),
    (f"mysqld --user=root --password={SECRET} --port=3306", ["--user=root", "--port=3306", "--password="]),
    (f'run --api-key "{SECRET}" -v', ["run --api-key \"", "-v"]),
    (f"exec api --token {SECRET}", ["exec api --token "]),
    (f"password={SECRET}\nuser=bob\n", ["user=bob"]),
    (f"Server=db;User Id=sa;Password={SECRET};", ["Server=db;User Id=sa;Password=", ";"]),
    (f'{{"db": {{"password": "{SECRET}", "host": "db"}}}}', ['"host":"db"']),
    (f"db:\n  password: |\n    {SECRET}\n    more\n  host: db\n", ["  host: db"]),
    (f"api_token: correct horse {SECRET}\nlevel: info", ["level: info"]),
    (f"https://example.com/cb?state=1&access_token={SECRET}&x=2", ["state=1", "&x=2"]),
])
def test_secrets_inside_strings_are_replaced_in_place(text: str, kept: list[str]) -> None:
    out = redact_text(text, mark=marker)
    assert SECRET not in out and SECRET[2:] not in out and "soc2iac-redacted:" in out
    for piece in kept:
        assert piece in out, out
    shown = redact_text(text)  # the report form
    assert SECRET[2:] not in shown


@pytest.mark.parametrize("text", [
    "https://user@example.com/x", "Basic authentication required", "see https://example.com:8443/a",
    "token_expiry: 3600", "password_length=12", "--token-file /var/run/token", "x=${DB_PASSWORD}",
    "secretName: tls-cert", "nginx:1.27", "time: 12:30", '{"replicas": 3, "image": "nginx"}',
])
def test_what_is_not_a_secret_is_kept(text: str) -> None:
    assert redact_text(text, mark=marker) == text


def test_known_formats_replace_the_whole_string() -> None:
    assert redact_text("key=AKIAIOSFODNN7EXAMPLE in notes", mark=marker) == "soc2iac-redacted:aws-access-key-id:33"


def test_structures_pairs_and_argument_lists() -> None:
    value = {
        "env": [{"name": "DB_PASSWORD", "value": SECRET}, {"name": "MODE", "value": "prod"}],
        "args": ["--password", SECRET, "--verbose"],
        "annotations": {"note": json.dumps({"token": SECRET})},
        "replicas": 3,
    }
    out = redact_value(value, mark=marker)
    assert SECRET not in json.dumps(out)
    assert out["env"][1] == {"name": "MODE", "value": "prod"} and out["replicas"] == 3
    assert out["args"][0] == "--password" and out["args"][2] == "--verbose"
    assert value["args"][1] == SECRET  # a copy: the input is untouched


def test_describe_redacts_structured_values() -> None:
    assert SECRET[2:] not in describe(f"postgres://u:{SECRET}@h")
    assert SECRET[2:] not in describe([f"--password={SECRET}", "-v"])
    assert SECRET[2:] not in describe(["--token", SECRET])
    assert describe("nginx:1.27") == "'nginx:1.27'"


def test_deep_json_in_a_string_is_not_a_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert redact_text(deep, mark=marker) in (deep, f"soc2iac-redacted:secret:{len(deep)}")
