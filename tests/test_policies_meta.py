"""Meta-tests over the policy pack: valid, known criteria, registered kinds, fresh docs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from soc2iac.catalog import readme_with_catalog
from soc2iac.checks import KINDS
from soc2iac.policy import (
    builtin_policy_dir,
    criteria_catalog,
    load_policies,
    policy_files,
    validate_document,
)

ROOT = Path(__file__).resolve().parent.parent
POLICY_FILES = policy_files(ROOT / "policies")


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_policy_file_is_valid(path: Path) -> None:
    assert validate_document(yaml.safe_load(path.read_text()), str(path), expected_id=path.stem) == []


def test_pack_size_and_areas() -> None:
    policies = load_policies()
    assert len(policies) >= 30
    areas = {p.area for p in policies}
    assert {"tls", "encryption-at-rest", "secret-storage", "network-exposure", "log-retention",
            "audit-logging", "log-access"} <= areas


def test_installed_package_ships_the_pack() -> None:
    shipped = sorted(p.name for p in policy_files(builtin_policy_dir()))
    assert shipped == sorted(p.name for p in POLICY_FILES)
    assert (builtin_policy_dir() / "_checkov_mapping.yaml").is_file()  # data beside the pack, not a policy


def test_criteria_catalog_is_complete() -> None:
    ids = set(criteria_catalog())
    expected = {f"CC{m}.{n}" for m, count in {1: 5, 2: 3, 3: 4, 4: 2, 5: 3, 6: 8, 7: 5, 8: 1, 9: 2}.items()
                for n in range(1, count + 1)}
    expected |= {"A1.1", "A1.2", "A1.3", "C1.1", "C1.2"} | {f"PI1.{n}" for n in range(1, 6)}
    expected |= {"P1.1", "P2.1", "P3.1", "P3.2", "P4.1", "P4.2", "P4.3", "P5.1", "P5.2", "P7.1", "P8.1"}
    expected |= {f"P6.{n}" for n in range(1, 8)}
    assert ids == expected


def test_unknown_criterion_is_rejected(tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "policies/aws-s3-bucket-encrypted.yaml").read_text())
    doc["criteria"] = [{**doc["criteria"][0], "id": "CC6.9"}]
    problems = validate_document(doc, "x.yaml", expected_id="aws-s3-bucket-encrypted")
    assert any("unknown Trust Services Criterion 'CC6.9'" in p.message for p in problems)


def test_every_check_kind_is_used_by_some_policy() -> None:
    used = {p.kind for p in load_policies()}
    assert used == set(KINDS), f"unused kinds: {set(KINDS) - used}"


def test_readme_catalog_is_fresh() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme == readme_with_catalog(readme, load_policies()), (
        "README policy catalog is stale: run `python -m soc2iac.catalog --write README.md`")


def test_duplicate_keys_in_a_policy_file_are_rejected(tmp_path: Path) -> None:
    from soc2iac.errors import Soc2iacError
    from soc2iac.policy import load_file

    text = (ROOT / "policies/aws-s3-bucket-encrypted.yaml").read_text()
    bad = tmp_path / "aws-s3-bucket-encrypted.yaml"
    bad.write_text(text + "severity: low\n")
    with pytest.raises(Soc2iacError, match="duplicate key 'severity'"):
        load_file(bad)


def _pattern_leaves(value: object) -> list[dict]:
    if isinstance(value, dict):
        found = [value] if value.get("op") in ("matches", "not_matches") else []
        return found + [leaf for v in value.values() for leaf in _pattern_leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _pattern_leaves(v)]
    return []


def test_no_policy_shows_a_regular_expression_to_the_reader() -> None:
    """A matches/not_matches pattern is said in words: by the leaf's ``expected`` or, for a simple
    pattern, by soc2iac.checks.pattern_words."""
    from soc2iac.checks.pattern_words import words

    unworded = [(p.id, leaf["value"]) for p in load_policies()
                for leaf in _pattern_leaves([p.applies_to, p.check])
                if "expected" not in leaf and isinstance(leaf.get("value"), str)
                and words(leaf["value"], negated=leaf["op"] == "not_matches") is None]
    assert unworded == []
