"""The validated policy pack is cached by content; a cache entry is never trusted blindly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from soc2iac import policy


@pytest.fixture(autouse=True)
def _edited_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """As for a pack edited after it was compiled: the cache is what spares validation then."""
    monkeypatch.setattr(policy, "_compiled", lambda files: None)


def fresh(monkeypatch: pytest.MonkeyPatch, cache: Path) -> tuple[policy.Policy, ...]:
    monkeypatch.setenv("SOC2IAC_CACHE_DIR", str(cache))
    return policy._builtin.__wrapped__()  # type: ignore[attr-defined]  # bypass the per-process memo


def test_warm_load_equals_validated_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cold = fresh(monkeypatch, tmp_path)
    entries = list(tmp_path.glob("policies-*.json"))
    assert len(entries) == 1
    assert fresh(monkeypatch, tmp_path) == cold
    monkeypatch.setenv("SOC2IAC_NO_CACHE", "1")
    assert policy._builtin.__wrapped__() == cold  # type: ignore[attr-defined]


@pytest.mark.parametrize("garbage", ["", "{not json", "[1, 2]", '[{"id": "x"}]'])
def test_corrupt_entry_is_ignored_and_rebuilt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, garbage: str) -> None:
    cold = fresh(monkeypatch, tmp_path)
    (entry,) = tmp_path.glob("policies-*.json")
    entry.write_text(garbage)
    assert fresh(monkeypatch, tmp_path) == cold
    assert entry.read_text() != garbage  # rebuilt


def test_any_change_to_a_policy_file_changes_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOC2IAC_CACHE_DIR", str(tmp_path / "cache"))
    pack = tmp_path / "pack"
    shutil.copytree(policy.builtin_policy_dir(), pack)
    files = policy.policy_files(pack)
    before = policy._cache_entry(files)
    files[0].write_text(files[0].read_text().replace("severity: high", "severity: low", 1) + "\n")
    assert policy._cache_entry(files) != before
