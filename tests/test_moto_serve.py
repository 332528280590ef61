"""The moto compatibility shim the real-Terraform tests run moto through (tests/tools/moto_serve.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("botocore", reason="botocore comes with moto[server] (the dev extra)")

from tools.moto_serve import qualify_target  # noqa: E402

AUTH = ("AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/{}/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=abc")


def test_short_target_of_the_signing_service_is_qualified() -> None:
    # What the Terraform AWS provider 5.100.0 sends for CreateTrail.
    # The pinned botocore (requirements/test.txt) names the qualified form, which moto 5.2 routes by.
    got = qualify_target("CloudTrail_20131101.CreateTrail", AUTH.format("cloudtrail"))
    assert got == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail"


@pytest.mark.parametrize(("target", "service"), [
    ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail", "cloudtrail"),  # already qualified
    ("Logs_20140328.CreateLogGroup", "logs"),  # a prefix botocore still names in the short form
    ("CloudTrail_20131101.CreateTrail", "logs"),  # another service's prefix: not ours to rewrite
    ("CloudTrail_20131101.CreateTrail", "no-such-service"),
    ("NoDotAtAll", "cloudtrail"),
])
def test_anything_else_passes_through(target: str, service: str) -> None:
    assert qualify_target(target, AUTH.format(service)) == target


def test_unsigned_or_malformed_authorization_passes_through() -> None:
    assert qualify_target("CloudTrail_20131101.CreateTrail", "") == "CloudTrail_20131101.CreateTrail"
    assert qualify_target("CloudTrail_20131101.CreateTrail", "AWS4-HMAC-SHA256 Credential=x") == \
        "CloudTrail_20131101.CreateTrail"
