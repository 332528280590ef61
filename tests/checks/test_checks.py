from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from soc2iac.checks import iam_statements, numeric_minimum, secret_literal
from soc2iac.checks.condition import evaluate_condition
from soc2iac.config import Config
from soc2iac.waivers import Waiver, apply as apply_waivers
from soc2iac.engine import Index, evaluate
from soc2iac.model import Location, Ref, Resource, Unknown
from soc2iac.policy import Policy


def res(rtype: str = "aws_x", name: str = "r", source: str = "terraform", **attrs: Any) -> Resource:
    return Resource(source=source, type=rtype, name=name, address=f"{rtype}.{name}", attributes=attrs,
                    location=Location("main.tf", 1, 5), lines={k: 2 for k in attrs})


def cond(c: dict[str, Any], r: Resource, *others: Resource) -> bool | None:
    return evaluate_condition(c, r, Index([r, *others])).value


@pytest.mark.parametrize("c, attrs, expected", [
    ({"path": "a", "op": "equals", "value": True}, {"a": True}, True),
    ({"path": "a", "op": "equals", "value": True}, {"a": "true"}, True),
    ({"path": "a", "op": "equals", "value": True}, {}, False),
    ({"path": "a", "op": "equals", "value": True, "default": True}, {}, True),
    ({"path": "a", "op": "equals", "value": True}, {"a": Unknown("var")}, None),
    ({"path": "a", "op": "exists"}, {"a": Ref("r", "aws_k.k", "arn")}, True),
    ({"path": "a", "op": "equals", "value": "x"}, {"a": Ref("r", "aws_k.k", "arn")}, None),
    ({"path": "a", "op": "not_equals", "value": "NodePort"}, {}, True),
    ({"path": "a", "op": "gte", "value": 365}, {"a": 400}, True),
    ({"path": "a", "op": "gte", "value": 365}, {"a": "30"}, False),
    ({"path": "a", "op": "matches", "value": "^TLS1_2$"}, {"a": "TLS1_0"}, False),
    ({"path": "a", "op": "contains", "value": "audit"}, {"a": ["api", "audit"]}, True),
    ({"path": "a", "op": "contains_none", "value": ["x"]}, {"a": ["y", Unknown("u")]}, None),
    ({"path": "a", "op": "contains", "value": "0.0.0.0/0"}, {"a": ["0.0.0.0/0", Unknown("u")]}, True),
    ({"path": "a", "op": "contains_none", "value": ["x"]}, {"a": ["x", Unknown("u")]}, False),
    ({"path": "a", "op": "empty"}, {"a": {}}, True),
    ({"path": "b[*].c", "op": "equals", "value": 1}, {"b": [{"c": 1}, {"c": 2}]}, False),
    ({"path": "b[*].c", "op": "equals", "value": 1, "quantifier": "any"}, {"b": [{"c": 1}, {"c": 2}]}, True),
])
def test_leaf_three_valued(c: dict[str, Any], attrs: dict[str, Any], expected: bool | None) -> None:
    assert cond(c, res(**attrs)) is expected


def test_combinators_follow_kleene_logic() -> None:
    t, f, u = ({"path": "t", "op": "truthy"}, {"path": "f", "op": "truthy"}, {"path": "u", "op": "truthy"})
    r = res(t=True, f=False, u=Unknown("x"))
    assert cond({"all": [t, u]}, r) is None and cond({"all": [f, u]}, r) is False
    assert cond({"any": [f, u]}, r) is None and cond({"any": [t, u]}, r) is True
    assert cond({"not": u}, r) is None and cond({"not": f}, r) is True


def test_quantifiers_over_lists() -> None:
    r = res(ingress=[{"from": 22, "cidr": ["10.0.0.0/8"]}, {"from": 30080, "cidr": ["0.0.0.0/0"]}])
    open_world = {"path": "cidr", "op": "contains", "value": "0.0.0.0/0"}
    assert cond({"some": "ingress", "that": open_world}, r) is True
    assert cond({"none": "ingress", "that": open_world}, r) is False
    assert cond({"each": "ingress", "that": {"path": "from", "op": "lt", "value": 40000}}, r) is True
    assert cond({"none": "egress", "that": open_world}, r) is True


def test_related_by_reference_and_by_literal_name() -> None:
    bucket = res("aws_s3_bucket", "logs", bucket="acme-logs")
    by_ref = res("aws_s3_bucket_logging", "a", bucket=Ref("r", "aws_s3_bucket.logs", "id"))
    by_name = res("aws_s3_bucket_public_access_block", "b", bucket="acme-logs", block_public_acls=True)
    other = res("aws_s3_bucket_public_access_block", "c", bucket="someone-else", block_public_acls=True)
    spec = {"types": ["aws_s3_bucket_logging"], "via": "bucket"}
    assert cond({"related": spec}, bucket, by_ref) is True
    spec2 = {"types": ["aws_s3_bucket_public_access_block"], "via": "bucket", "match_attribute": "bucket"}
    c = {"related": spec2, "that": {"path": "block_public_acls", "op": "equals", "value": True}}
    assert cond(c, bucket, by_name, other) is True
    assert cond(c, res("aws_s3_bucket", "lonely", bucket="x"), by_name, other) is False


def test_numeric_minimum_absent_forever_default_and_unknown() -> None:
    check = {"kind": "numeric_minimum", "path": "days", "minimum": 365, "unit": "days", "absent": "forever"}
    idx = Index([])
    assert numeric_minimum.evaluate(res(), check, idx).verdict == "pass"
    assert "never expires" in numeric_minimum.evaluate(res(), check, idx).message
    assert numeric_minimum.evaluate(res(days=7), check, idx).verdict == "fail"
    assert numeric_minimum.evaluate(res(days=Unknown("var")), check, idx).verdict == "unknown"
    with_default = {**check, "absent": "default", "default": 30}
    assert numeric_minimum.evaluate(res(), with_default, idx).verdict == "fail"


def test_secret_literal_flags_literals_only_and_redacts() -> None:
    check = {"kind": "secret_literal", "scan_keys": [""]}
    idx = Index([])
    bad = secret_literal.evaluate(res(password="hunter2-correct-horse", password_length=16), check, idx)
    assert bad.verdict == "fail" and "hunter2-correct-horse" not in bad.message
    assert "(21 chars)" in bad.message
    ok = secret_literal.evaluate(res(password=Ref("r", "random_password.p", "result"), kms_key_id="k",
                                     secret_arn="arn:aws:secretsmanager:eu-west-1:1:secret:x"), check, idx)
    assert ok.verdict == "pass"
    key = secret_literal.evaluate(res(note="AKIAIOSFODNN7EXAMPLE"), {"kind": "secret_literal"}, idx)
    assert key.verdict == "fail" and "AKIAIOSFODNN7EXAMPLE" not in key.message


def test_iam_statements_from_json_blocks_and_references() -> None:
    check = {"kind": "iam_statements", "actions": ["logs:DeleteLogGroup"]}
    wide = '{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}'
    narrow = '{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"arn:aws:logs:eu-west-1:1:log-group:app:*"}]}'
    deny = '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}'
    idx = Index([])
    assert iam_statements.evaluate(res(policy=wide), check, idx).verdict == "fail"
    assert iam_statements.evaluate(res(policy=narrow), check, idx).verdict == "pass"
    assert iam_statements.evaluate(res(policy=deny), check, idx).verdict == "pass"
    doc = res("data.aws_iam_policy_document", "d", statement=[{"actions": ["logs:Delete*"], "resources": ["*"]}])
    doc = Resource(doc.source, doc.type, doc.name, "data.aws_iam_policy_document.d", doc.attributes, doc.location)
    user = res(policy=Ref("r", "data.aws_iam_policy_document.d", "json"))
    assert iam_statements.evaluate(user, check, Index([user, doc])).verdict == "fail"
    assert iam_statements.evaluate(res(policy=Unknown("var")), check, idx).verdict == "unknown"


def _policy(**kw: Any) -> Policy:
    base = dict(id="aws-x-ok", title="x resources are fine", severity="high", criteria=("CC6.1",), area="tls",
                applies_to={"source": "terraform", "types": ["aws_x"]},
                check={"kind": "condition", "condition": {"path": "ok", "op": "truthy"}},
                description="d" * 20, remediation="r" * 10)
    base.update(kw)
    return Policy(**base)  # type: ignore[arg-type]


def test_engine_records_every_verdict_and_waivers_apply_after() -> None:
    resources = [res(name="good", ok=True), res(name="bad", ok=False), res(name="maybe", ok=Unknown("v")),
                 res("aws_y", "other", ok=False)]
    findings, _ = evaluate([_policy()], resources, Config())
    assert {f.resource: f.verdict for f in findings} == {
        "aws_x.good": "pass", "aws_x.bad": "fail", "aws_x.maybe": "unknown"}
    rule = Waiver(policy="aws-x-*", resources=("aws_x.bad",), reason="accepted risk", approved_by="ciso")
    expired = Waiver(policy="aws-x-ok", resources=("aws_x.maybe",), reason="old", expires=dt.date(2000, 1, 1))
    unused = Waiver(policy="aws-x-ok", resources=("aws_x.gone",), reason="nothing matches")
    waived, status = apply_waivers(findings, [rule, expired, unused], dt.date(2026, 1, 1))
    verdicts = {f.resource: f for f in waived}
    assert verdicts["aws_x.bad"].verdict == "excepted" and "accepted risk; approved by ciso" in verdicts["aws_x.bad"].exception
    assert verdicts["aws_x.maybe"].verdict == "unknown" and "waiver expired on 2000-01-01" in verdicts["aws_x.maybe"].message
    assert [s.status for s in status] == ["applied", "expired", "unused"]
    assert verdicts["aws_x.bad"].line == 2 and verdicts["aws_x.bad"].criteria == ("CC6.1",)


def test_where_scopes_and_unknown_scope_is_reported() -> None:
    p = _policy(applies_to={"source": "terraform", "types": ["aws_x"],
                            "where": {"path": "protocol", "op": "equals", "value": "HTTPS"}})
    resources = [res(name="http", protocol="HTTP", ok=False), res(name="https", protocol="HTTPS", ok=False),
                 res(name="var", protocol=Unknown("var"), ok=True)]
    verdicts = {f.resource: f.verdict for f in evaluate([p], resources, Config())[0]}
    assert verdicts == {"aws_x.https": "fail", "aws_x.var": "unknown"}


def test_a_possible_relation_is_unknown_never_a_pass() -> None:
    vpc = res("aws_vpc", "this")
    spec = {"related": {"types": ["aws_flow_log"], "via": "vpc_id"}}
    maybe = res("aws_flow_log", "f", vpc_id=Unknown("try()", refs=("aws_vpc.this",)), traffic_type="ALL")
    assert cond(spec, vpc, maybe) is None
    sure = res("aws_flow_log", "g", vpc_id=Ref("r", "aws_vpc.this", "id"), traffic_type="ALL")
    assert cond(spec, vpc, maybe, sure) is True
    assert cond(spec, vpc) is False


def test_when_then_and_contains_all() -> None:
    c = {"when": {"path": "@type", "op": "equals", "value": "aws_v2"},
         "then": {"path": "cfg.policy", "op": "equals", "value": "TLS_1_2"}}
    assert cond(c, res("aws_v1", policy="TLS_1_0")) is True  # not applicable to v1
    assert cond(c, res("aws_v2", cfg={"policy": "TLS_1_0"})) is False
    both = {"path": "types", "op": "contains_all", "value": ["audit", "authenticator"]}
    assert cond(both, res(types=["api", "audit", "authenticator"])) is True
    assert cond(both, res(types=["audit"])) is False
    assert cond(both, res(types=["audit", Unknown("v")])) is None


def test_missing_parent_reports_the_requested_path() -> None:
    r = evaluate_condition({"path": "access_logs.enabled", "op": "equals", "value": True, "default": False},
                           res(), Index([]))
    assert r.value is False and r.reason.startswith("access_logs.enabled is false (not set;")


def test_condition_messages_never_print_map_values() -> None:
    secret = res("Secret", data={"tls.key": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t", "username": "admin"})
    r = evaluate_condition({"path": "data", "op": "empty"}, secret, Index([]))
    assert r.value is False and "LS0t" not in r.reason and "admin" not in r.reason and "tls.key" in r.reason


@pytest.mark.parametrize("key, value", [
    ("http_tokens", "required"), ("token_validity_units", "hours"), ("api_key_source", "HEADER"),
    ("token_endpoint", "https://idp.example.com/oauth2/token"), ("credentials", "arn:aws:iam::1:role/x"),
    ("DATABASE_PASSWORD", "$(DB_PASSWORD_FROM_ENV)"),
])
def test_secret_literal_known_non_secrets(key: str, value: str) -> None:
    out = secret_literal.evaluate(res(**{key: value}), {"kind": "secret_literal", "scan_keys": [""]}, Index([]))
    assert out.verdict == "pass", out.message


def test_secret_literal_sees_literal_parts_of_templates() -> None:
    check = {"kind": "secret_literal", "scan_keys": [""]}
    partly = res(password=Unknown("template", literal="Hunter2Hunter2 "),
                 user_data=Unknown("template", literal="export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMAAA\nexport DB= "))
    out = secret_literal.evaluate(partly, check, Index([]))
    assert out.verdict == "fail" and len(out.details) == 2
    assert "Hunter2Hunter2" not in str(out) and "AKIAIOSFODNN7EXAMAAA" not in str(out)
    joiner = res(password=Unknown("template", literal=" : "))
    assert secret_literal.evaluate(joiner, check, Index([])).verdict == "pass"


@pytest.mark.parametrize("key, secret", [
    ("auth.postgresPassword", True), ("client-secret", True), ("apiKey", True), ("DB_PASSWORD", True),
    ("token-lifespan", False), ("password-policy", False), ("auth.existingSecret", False),
    ("secret_permissions", False), ("passwordless-login", False), ("enable-api-key-auth", False),
])
def test_secret_keys_are_matched_in_any_naming_style(key: str, secret: bool) -> None:
    from soc2iac.redact import is_secret_key

    assert is_secret_key(key) is secret


def test_nothing_checked_is_not_applicable_never_a_pass() -> None:
    """A false `when` guard or an `each` over no entries checks nothing: no verdict at all (issue 18);
    the same conditions still pass where something held and fail where it did not."""
    guarded = _policy(check={"kind": "condition", "condition": {
        "when": {"path": "protocol", "op": "equals", "value": "HTTPS"},
        "then": {"path": "ok", "op": "truthy"}}})
    each = _policy(id="aws-x-each-ok", check={"kind": "condition", "condition": {
        "each": "rules", "that": {"path": "ok", "op": "truthy"}}})
    resources = [res(name="http", protocol="HTTP", ok=False, rules=[]),
                 res(name="https", protocol="HTTPS", ok=True, rules=[{"ok": True}]),
                 res(name="bad", protocol="HTTPS", ok=False, rules=[{"ok": False}])]
    found = {(f.policy_id, f.resource): f.verdict for f in evaluate([guarded, each], resources, Config())[0]}
    assert found == {("aws-x-ok", "aws_x.https"): "pass", ("aws-x-ok", "aws_x.bad"): "fail",
                     ("aws-x-each-ok", "aws_x.https"): "pass", ("aws-x-each-ok", "aws_x.bad"): "fail"}


def test_shipped_secret_policy_says_the_data_is_committed() -> None:
    from soc2iac.policy import load_policies

    policy = next(p for p in load_policies() if p.id == "k8s-secret-not-committed")
    secret = Resource("kubernetes", "Secret", "tz", "default/Secret/tz",
                      {"data": {"TZ": "RXVyb3BlL0JlcmxpbgA="}}, Location("s.yaml", 1, 5), lines={"data.TZ": 4})
    found = evaluate([policy], [secret], Config())[0]
    assert [f.verdict for f in found] == ["fail"]
    assert found[0].message.startswith("Secret data is committed in the manifest: data.TZ is ")
    assert "literal secret" not in found[0].message and "RXVyb3BlL0JlcmxpbgA=" not in found[0].message


def test_committed_secret_data_is_called_what_it_is() -> None:
    """A Secret's data is judged for being committed, not for looking secret (a timezone is no secret)."""
    secret = Resource("kubernetes", "Secret", "tz", "default/Secret/tz",
                      {"data": {"TZ": "RXVyb3BlL0JlcmxpbgA="}}, Location("s.yaml", 1, 5), lines={"data.TZ": 4})
    check = {"kind": "secret_literal", "paths": ["data.*"], "paths_finding": "Secret data is committed in the manifest"}
    out = secret_literal.evaluate(secret, check, Index([]))
    assert out.verdict == "fail" and out.message.startswith("Secret data is committed in the manifest: data.TZ is ")
    assert "literal secret" not in out.message
    default = secret_literal.evaluate(secret, {"kind": "secret_literal", "paths": ["data.*"]}, Index([]))
    assert "data.TZ holds a literal secret" in default.message


def test_numeric_minimum_says_one_day_not_one_days() -> None:
    check = {"kind": "numeric_minimum", "path": "retention", "minimum": 7, "unit": "days"}
    one = Resource("terraform", "aws_x", "a", "aws_x.a", {"retention": 1}, Location("m.tf", 1, 3))
    out = numeric_minimum.evaluate(one, check, Index([]))
    assert (out.verdict, out.message) == ("fail", "retention is 1 day, below the 7 days minimum")
    assert numeric_minimum.amount(0.5, "days") == "0.5 days" and numeric_minimum.amount(2, "") == "2"


@pytest.mark.parametrize(("pattern", "negated", "said"), [
    ("^required", False, "a value starting with 'required'"),
    ("^1[.][23]$", False, "'1.2' or '1.3'"),
    ("^TLS1_[23]$", True, "none of 'TLS1_2', 'TLS1_3'"),
    ("(?i)^(https|tls)$", False, "'https' or 'tls' (any case)"),
    ("@internal$", True, "a value not ending with '@internal'"),
    ("^gateway\\.networking\\.(x-)?k8s\\.io/", False,
     "a value starting with 'gateway.networking.k8s.io/' or 'gateway.networking.x-k8s.io/'"),
    ("(^|,)\\s*(0\\.0\\.0\\.0|\\*)(:|$)", True, None),
])
def test_patterns_in_words(pattern: str, negated: bool, said: str | None) -> None:
    from soc2iac.checks.pattern_words import words

    assert words(pattern, negated=negated) == said


def test_condition_messages_say_patterns_in_words() -> None:
    res = Resource("terraform", "aws_x", "a", "aws_x.a", {"policy": "TLS1_0"}, Location("m.tf", 1, 3))
    simple = evaluate_condition({"path": "policy", "op": "matches", "value": "^TLS1_[23]$"}, res, Index([]))
    assert simple.reason == "policy is 'TLS1_0', expected 'TLS1_2' or 'TLS1_3'"
    worded = evaluate_condition({"path": "policy", "op": "matches", "value": "^(TLS1_2$|TLS1_3)",
                                 "expected": "TLS 1.2 or newer"}, res, Index([]))
    assert worded.reason == "policy is 'TLS1_0', expected TLS 1.2 or newer"
    hard = evaluate_condition({"path": "policy", "op": "matches", "value": "^(TLS1_2$|TLS1_3)"}, res, Index([]))
    assert "^" not in hard.reason and hard.reason.endswith("expected a value of the form the policy requires")
