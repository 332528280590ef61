"""Provider-version-aware defaults: required_providers and .terraform.lock.hcl decide which
product default an absent attribute gets (azurerm_storage_account.min_tls_version: TLS1_0 in
azurerm 2.x, TLS1_2 from 3.0, per the azurerm 3.0 upgrade guide)."""

from __future__ import annotations

from pathlib import Path

import pytest

from soc2iac.config import Config
from soc2iac.errors import Soc2iacError
from soc2iac.policy import builtin_policy_dir, load_file
from soc2iac.scanner import scan
from soc2iac.versions import ProviderVersions, Range, constraint_range, parse_version

POLICY = "azure-storage-account-tls12"
ACCOUNT = """resource "azurerm_storage_account" "logs" {
  name                     = "acmelogs"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
"""


def _terraform_block(version: str) -> str:
    return ('terraform {\n  required_providers {\n    azurerm = {\n      source  = "hashicorp/azurerm"\n'
            f'      version = "{version}"\n    }}\n  }}\n}}\n')


def _lock(version: str) -> str:
    return ('provider "registry.terraform.io/hashicorp/azurerm" {\n'
            f'  version     = "{version}"\n  constraints = ">= 2.0.0"\n  hashes = ["h1:x="]\n}}\n')


def _verdict(folder: Path) -> tuple[str, str]:
    result = scan([str(folder)], policies=[load_file(builtin_policy_dir() / f"{POLICY}.yaml")], config=Config(),
                  include_roots=[folder.parent])  # ../modules: the tree the scan may read
    assert not result.problems, result.problems
    (f,) = [f for f in result.findings if f.policy_id == POLICY]
    return f.verdict, f.message


@pytest.mark.parametrize("constraint,lock,verdict,words", [
    (None, None, "pass", "terraform init installs the newest release"),
    ("~> 2.99", None, "fail", "the azurerm 2.x default is 'TLS1_0'"),
    ("= 2.99.0", None, "fail", "'= 2.99.0'"),
    ("~> 3.0", None, "pass", "v3.0 and later"),
    (">= 2.0, < 5.0", None, "unknown", "depends on the azurerm provider version"),
    (">= 2.0", "2.99.0", "fail", ".terraform.lock.hcl selects 2.99.0"),
    (">= 2.0", "3.117.1", "pass", ".terraform.lock.hcl selects 3.117.1"),
    (None, "2.46.1", "fail", "selects 2.46.1"),
])
def test_absent_min_tls_version_is_judged_on_the_admitted_provider_versions(
        tmp_path: Path, constraint: str | None, lock: str | None, verdict: str, words: str) -> None:
    (tmp_path / "main.tf").write_text(ACCOUNT)
    if constraint is not None:
        (tmp_path / "versions.tf").write_text(_terraform_block(constraint))
    if lock is not None:
        (tmp_path / ".terraform.lock.hcl").write_text(_lock(lock))
    got, message = _verdict(tmp_path)
    assert got == verdict, message
    assert words in message, message


def test_a_module_constraint_narrows_its_callers(tmp_path: Path) -> None:
    """Terraform requires every module's constraints: a module pinned to 2.x is judged on 2.x."""
    (tmp_path / "modules" / "logs").mkdir(parents=True)
    (tmp_path / "modules" / "logs" / "main.tf").write_text(ACCOUNT + _terraform_block("< 3.0.0"))
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "main.tf").write_text('module "logs" {\n  source = "../modules/logs"\n}\n'
                                               + _terraform_block(">= 2.40"))
    got, message = _verdict(tmp_path / "live")
    assert got == "fail" and "'< 3.0.0'" in message and "'>= 2.40'" in message, message


def test_a_set_value_is_judged_whatever_the_version(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ACCOUNT.replace('"LRS"\n', '"LRS"\n  min_tls_version = "TLS1_2"\n')
                                      + _terraform_block("~> 2.99"))
    assert _verdict(tmp_path)[0] == "pass"


@pytest.mark.parametrize("text,inside,outside", [
    ("~> 2.99", ["2.99.0", "2.100.3"], ["3.0.0", "2.98.9"]),
    ("~> 2.99.1", ["2.99.1", "2.99.7"], ["2.100.0", "2.99.0"]),
    (">= 1.2, < 2", ["1.2.0", "1.9.9"], ["2.0.0", "1.1.9"]),
    ("> 3.0.0", ["3.0.1"], ["3.0.0"]),
    ("<= 3.1", ["3.1.0", "0.1.0"], ["3.1.1"]),
    ("3.4.0", ["3.4.0"], ["3.4.1", "3.3.9"]),
    ("!= 3.4.0, >= 3", ["3.4.1", "3.0.0"], ["2.9.9"]),
])
def test_constraints(text: str, inside: list[str], outside: list[str]) -> None:
    admitted = constraint_range(text)
    for v in inside:
        exact = parse_version(v)
        assert not admitted.meet(Range(exact, False, exact, True)).empty(), (text, v)
    for v in outside:
        exact = parse_version(v)
        assert admitted.meet(Range(exact, False, exact, True)).empty(), (text, v)


def test_contradictory_constraints_admit_nothing_and_a_bad_one_is_ignored() -> None:
    assert ProviderVersions(constraints=(("~> 2.0", "a.tf:1"), (">= 3.0", "b.tf:1"))).admitted().empty()
    assert not ProviderVersions(constraints=(("~> nope", "a.tf:1"),)).admitted().empty()


def test_policy_schema_checks_earlier_defaults(tmp_path: Path) -> None:
    text = (builtin_policy_dir() / f"{POLICY}.yaml").read_text().replace('below: "3.0.0"', 'below: "three"')
    bad = tmp_path / f"{POLICY}.yaml"
    bad.write_text(text)
    with pytest.raises(Soc2iacError, match="three"):
        load_file(bad)
