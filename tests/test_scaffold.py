"""`soc2iac policies new`: a valid policy and fixture stubs that do not yet prove it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import soc2iac_cmd
from soc2iac.checks import KINDS
from soc2iac.config import Config
from soc2iac.errors import Soc2iacError
from soc2iac.policy import load_file
from soc2iac.scaffold import files_for, write
from soc2iac.scanner import scan


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_scaffolds_a_valid_policy(kind: str, tmp_path: Path) -> None:
    files = files_for("aws-thing-holds", kind=kind, source="terraform", types=["aws_thing"], family="encryption-at-rest",
                      area="encryption-at-rest", policy_dir=tmp_path / "policies", root=tmp_path)
    write(files)
    policy = load_file(tmp_path / "policies/aws-thing-holds.yaml")  # validates, or raises
    assert policy.kind == kind and policy.criteria == ("CC6.1", "C1.1")
    assert {p.relative_to(tmp_path).as_posix() for p in files} == {
        "policies/aws-thing-holds.yaml", "terraform_fixtures/aws-thing-holds/fail.tf",
        "terraform_fixtures/aws-thing-holds/pass.tf"}


def test_kubernetes_and_gateway_policies_get_their_fixture_folders(tmp_path: Path) -> None:
    k8s = files_for("k8s-pod-thing", kind="condition", source="kubernetes", types=["Pod"], family="encryption-at-rest",
                    area="network-exposure", policy_dir=tmp_path, root=tmp_path)
    kong = files_for("kong-thing", kind="condition", source="kong", types=["kong_route"], family="public-exposure",
                     area="gateway", policy_dir=tmp_path, root=tmp_path)
    assert tmp_path / "k8s_fixtures/k8s-pod-thing/fail.yaml" in k8s
    assert tmp_path / "gateway_fixtures/kong-thing/pass.yaml" in kong


def test_stubs_are_not_proof_yet(tmp_path: Path) -> None:
    """The fail stub marks no line (the fixture test says so) and the pass stub does not pass: the
    fixture test fails until the engineer writes both."""
    write(files_for("aws-thing-holds", kind="condition", source="terraform", types=["aws_thing"],
                    family="encryption-at-rest", area="encryption-at-rest", policy_dir=tmp_path, root=tmp_path))
    fail = tmp_path / "terraform_fixtures/aws-thing-holds/fail.tf"
    assert "soc2iac-expect: fail" not in fail.read_text()
    passing = tmp_path / "terraform_fixtures/aws-thing-holds/pass.tf"
    result = scan([str(passing)], policies=[load_file(tmp_path / "aws-thing-holds.yaml")], config=Config())
    assert {f.verdict for f in result.findings} != {"pass"}


def test_bad_requests_are_errors_and_nothing_is_overwritten(tmp_path: Path) -> None:
    args = ["policies", "new", "aws-thing-holds", "--kind", "condition", "--type", "aws_thing",
            "--family", "encryption-at-rest", "--area", "encryption-at-rest", "--dir", str(tmp_path / "p"),
            "--fixtures-root", str(tmp_path)]
    first = subprocess.run([*soc2iac_cmd(), *args], capture_output=True, text=True, timeout=60)
    assert first.returncode == 0 and first.stdout.count("wrote ") == 3, first.stderr
    before = (tmp_path / "p/aws-thing-holds.yaml").read_text()
    again = subprocess.run([*soc2iac_cmd(), *args], capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    assert (tmp_path / "p/aws-thing-holds.yaml").read_text() == before
    with pytest.raises(Soc2iacError, match="unknown check kind"):
        files_for("aws-x-y", kind="nope", source="terraform", types=["t"], family="encryption-at-rest", area="tls",
                  policy_dir=tmp_path, root=tmp_path)
    with pytest.raises(Soc2iacError, match="unknown control family 'encryption-somewhere'"):
        files_for("aws-x-y", kind="condition", source="terraform", types=["t"], family="encryption-somewhere", area="tls",
                  policy_dir=tmp_path, root=tmp_path)
