"""Control families (soc2iac/data/families.yaml): every policy and checkov mapping names one and
shares its criteria unless its entry explains the difference; each criterion entry has a role,
point of focus and reason; the corrections of issue 19 stay in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from soc2iac import checkov_bridge
from soc2iac.policy import (
    OLD_STYLE_CRITERIA, criteria_catalog, families, family_deviation, left_to_other_evidence, load_policies,
    validate_document,
)

ROOT = Path(__file__).resolve().parent.parent
POLICIES = {p.id: p for p in load_policies()}
CHECKOV = checkov_bridge.load_mapping()
RAW_CHECKOV: dict[str, Any] = yaml.safe_load((ROOT / "policies/_checkov_mapping.yaml").read_text())["checks"]


def _doc(policy_id: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "policies" / f"{policy_id}.yaml").read_text()))


def _roles(entries: Any) -> set[tuple[str, str]]:
    return {(e.id, e.role) for e in entries}


# ------------------------------------------------------------------ the table itself


def test_families_validate_against_their_schema() -> None:
    schema = json.loads((ROOT / "soc2iac/schemas/families.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    doc = yaml.safe_load((ROOT / "soc2iac/data/families.yaml").read_text())
    assert [e.message for e in Draft202012Validator(schema).iter_errors(doc)] == []


def test_family_criteria_are_known_and_have_a_coverage_note() -> None:
    mapped = {e.id for f in families().values() for e in f.criteria}
    assert mapped <= set(criteria_catalog())
    assert mapped - set(left_to_other_evidence()) == set(), "add what the checks leave to other evidence"
    assert set(left_to_other_evidence()) - mapped == set(), "a coverage note for a criterion no family maps"


def test_every_family_is_used() -> None:
    used = {p.family for p in POLICIES.values()} | {m.family for m in CHECKOV.values()}
    assert set(families()) - used == set()


# ------------------------------------------------------------------ consistency


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_policy_follows_its_family_or_says_why(policy_id: str) -> None:
    p = POLICIES[policy_id]
    assert family_deviation(p.family, _roles(p.mappings), bool(p.deviation)) is None


@pytest.mark.parametrize("check_id", sorted(CHECKOV))
def test_checkov_entry_follows_its_family_or_says_why(check_id: str) -> None:
    m = CHECKOV[check_id]
    assert family_deviation(m.family, _roles(m.mappings), bool(m.deviation)) is None
    if "criteria" in RAW_CHECKOV[check_id]:  # its own entries: only with a difference to explain
        assert _roles(m.mappings) != _roles(families()[m.family].criteria)


def test_an_unexplained_deviation_is_rejected_and_a_stale_one_too() -> None:
    doc = _doc("aws-s3-bucket-encrypted")
    doc["criteria"] = doc["criteria"][:1]  # C1.1 dropped without a word
    problems = [p.message for p in validate_document(doc, "x.yaml", expected_id="aws-s3-bucket-encrypted")]
    assert any("differ from family 'encryption-at-rest' (-C1.1 supporting)" in m for m in problems), problems
    assert validate_document({**doc, "deviation": "C1.1 is left out because this store never holds data."},
                             "x.yaml", expected_id="aws-s3-bucket-encrypted") == []
    stale = {**_doc("aws-s3-bucket-encrypted"), "deviation": "Nothing differs, yet this explains something."}
    assert any("nothing to explain" in p.message for p in validate_document(stale, "x.yaml"))


def test_a_role_change_is_a_deviation() -> None:
    doc = _doc("aws-s3-bucket-encrypted")
    doc["criteria"] = [doc["criteria"][0], {**doc["criteria"][1], "role": "primary"}]
    assert any("+C1.1 primary" in p.message for p in validate_document(doc, "x.yaml"))


@pytest.mark.parametrize("missing", ["reason", "focus", "role"])
def test_an_entry_without_reason_focus_or_role_is_rejected(missing: str) -> None:
    doc = _doc("nginx-tls12")
    doc["criteria"] = [{k: v for k, v in doc["criteria"][0].items() if k != missing}]
    assert any(f"'{missing}' is a required property" in p.message for p in validate_document(doc, "x.yaml"))


def test_primary_entries_come_first_and_one_is_needed() -> None:
    doc = _doc("aws-s3-bucket-encrypted")
    doc["criteria"] = doc["criteria"][::-1]
    assert any("list the primary entries first" in p.message for p in validate_document(doc, "x.yaml"))
    doc["criteria"] = [{**c, "role": "supporting"} for c in doc["criteria"]]
    assert any("no entry is primary" in p.message for p in validate_document(doc, "x.yaml"))


def test_an_old_style_criteria_list_says_how_to_convert() -> None:
    doc = {k: v for k, v in _doc("nginx-tls12").items() if k != "family"}
    doc["criteria"] = ["CC6.7"]
    problems = [p.message for p in validate_document(doc, "x.yaml")]
    assert problems == [OLD_STYLE_CRITERIA]


def test_shipped_reasons_are_single_sentences_in_our_words() -> None:
    reasons = [m.reason for p in POLICIES.values() for m in p.mappings]
    reasons += [m.reason for m in CHECKOV.values() for m in m.mappings]
    assert all(r.endswith(".") and "\n" not in r and len(r) >= 20 for r in reasons)


# ------------------------------------------------------------------ the corrections of issue 19


def _criteria(pid: str) -> dict[str, str]:
    source = POLICIES[pid].mappings if pid in POLICIES else CHECKOV[pid].mappings
    return {m.id: m.role for m in source}


@pytest.mark.parametrize("pid", [p for p in POLICIES if "rate-limit" in p or "throttling" in p])
def test_rate_limits_bear_on_capacity(pid: str) -> None:
    assert _criteria(pid).get("A1.1") == "supporting" and _criteria(pid).get("CC6.6") == "primary"


@pytest.mark.parametrize("pid", ["envoy-routes-require-authentication", "kong-route-authentication-required",
                                 "k8s-ingress-nginx-auth-configured", "k8s-istio-request-authentication-enforced",
                                 "k8s-gateway-route-authenticated"])
def test_route_authentication_is_boundary_access(pid: str) -> None:
    assert _criteria(pid) == {"CC6.1": "primary", "CC6.6": "primary"}


@pytest.mark.parametrize("pid", ["envoy-admin-not-public", "kong-conf-admin-not-public", "traefik-api-not-insecure",
                                 "traefik-dashboard-router-authenticated"])
def test_admin_interfaces_open_to_all_bear_on_access(pid: str) -> None:
    assert _criteria(pid) == {"CC6.1": "primary", "CC6.6": "primary"}


def test_log_file_validation_bears_on_evaluating_events() -> None:
    assert _criteria("aws-cloudtrail-log-file-validation") == {"CC7.2": "primary", "CC7.3": "supporting"}
    assert CHECKOV["CKV_AWS_36"].family == "log-integrity"


@pytest.mark.parametrize("pid", ["aws-iam-no-wildcard-log-deletion", "k8s-rbac-pod-logs-not-broad"])
def test_broad_log_grants_are_least_privilege(pid: str) -> None:
    assert _criteria(pid)["CC6.3"] == "primary"


@pytest.mark.parametrize("pid", ["aws-s3-log-bucket-not-public", "aws-s3-log-bucket-public-access-blocked"])
def test_public_log_buckets_bear_on_the_boundary(pid: str) -> None:
    assert _criteria(pid)["CC6.6"] == "primary" and _criteria(pid)["CC7.2"] == "supporting"


def test_plan_regressions_bear_on_change_and_vulnerability_detection() -> None:
    assert {"CC8.1": "primary", "CC7.1": "supporting"}.items() <= _criteria("plan-control-removed").items()
    controls = POLICIES["plan-control-removed"].check["controls"]
    assert all({"CC8.1", "CC7.1"} <= set(c["criteria"]) for c in controls.values())


def test_ssm_value_sent_over_http_is_data_in_transmission() -> None:
    assert _criteria("CKV2_AWS_36") == {"CC6.7": "primary"}


@pytest.mark.parametrize("ids", [
    ["aws-cloudwatch-log-group-kms-encrypted", "aws-cloudtrail-kms-encrypted", "CKV_AWS_35", "CKV_AWS_158"],
    ["aws-iam-no-wildcard-log-deletion", "k8s-rbac-pod-logs-not-broad", "CKV_AWS_1", "CKV_AWS_62"],
    ["aws-s3-log-bucket-not-public", "aws-s3-log-bucket-public-access-blocked", "CKV_AWS_53", "CKV2_AWS_6"],
    ["envoy-routes-require-authentication", "kong-route-authentication-required", "CKV_AWS_309", "CKV2_AWS_70"],
], ids=["log encryption", "least privilege", "S3 public access", "unauthenticated endpoints"])
def test_the_same_control_is_mapped_the_same_everywhere(ids: list[str]) -> None:
    fams = {POLICIES[i].family if i in POLICIES else CHECKOV[i].family for i in ids}
    assert len(fams) == 1
    family = families()[fams.pop()]
    for i in ids:  # each has at least its family's entries, with the family's roles
        assert _roles(family.criteria) <= {(c, r) for c, r in _criteria(i).items()}, i


def test_config_recorder_is_change_detection_everywhere() -> None:
    assert _criteria("CKV2_AWS_45") == {"CC7.1": "primary", "CC4.1": "supporting"}
    recorder = POLICIES["plan-control-removed"].check["controls"]["aws_config_configuration_recorder"]
    assert "CC7.1" in recorder["criteria"] and "CC7.2" not in recorder["criteria"]


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_a_description_names_only_criteria_the_policy_maps(policy_id: str) -> None:
    """The prose and the entries tell the auditor the same mapping."""
    import re

    p = POLICIES[policy_id]
    named = set(re.findall(r"\b(?:CC\d|A1|C1|PI1|P\d)\.\d\b", f"{p.description} {p.remediation}"))
    assert named <= set(p.criteria), f"named but not mapped: {sorted(named - set(p.criteria))}"
