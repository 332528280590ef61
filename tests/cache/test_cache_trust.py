"""Untrusted cache contents (security cases 6 and 12): a CI cache restored from a pull request's run
is exactly a cache folder someone else wrote. Entries are authenticated with a per-user key kept
outside the cache folder, so a rewritten entry, whatever checksum it carries, is ignored and
rebuilt; the policy-pack entry likewise; entries over a size bound are not read."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import stat
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from soc2iac import cache as cache_mod
from soc2iac import policy
from soc2iac.cache import MAGIC, Cache
from soc2iac.cli import app

POD = """apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  hostNetwork: true
  containers: [{name: web, image: "web:1.0"}]
"""


def _scan(root: Path, cache_dir: Path, *extra: str) -> Any:
    return CliRunner().invoke(app, ["scan", str(root / "pod.yaml"), "--cache-dir", str(cache_dir), "-f", "json",
                                    "-j", "1", *extra])


def _flip(value: Any) -> Any:
    """The same parse with the Pod's hostNetwork turned off."""
    if isinstance(value, tuple):
        return tuple(_flip(v) for v in value)
    if isinstance(value, list):
        return [_flip(v) for v in value]
    if dataclasses.is_dataclass(value) and hasattr(value, "attributes"):
        attrs = json.loads(json.dumps(value.attributes, default=str))
        attrs.setdefault("spec", {})["hostNetwork"] = False
        return dataclasses.replace(value, attributes=attrs)  # type: ignore[type-var]
    return value


def _entries(cache_dir: Path, namespace: str) -> list[Path]:
    return [p for p in (cache_dir / namespace).rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]


@pytest.fixture()
def pod(tmp_path: Path) -> Path:
    (tmp_path / "pod.yaml").write_text(POD)
    return tmp_path


@pytest.mark.parametrize("checksum", ["sha256", "hmac-other-key"])
def test_a_rewritten_parse_entry_does_not_change_the_verdict(pod: Path, tmp_path: Path, checksum: str) -> None:
    cache_dir = tmp_path / "cache"
    first = _scan(pod, cache_dir)
    assert first.exit_code == 1, first.output
    (entry,) = _entries(cache_dir, "kubernetes")
    key = bytes.fromhex(entry.parent.name + entry.name)
    stored = Cache(cache_dir).get("kubernetes", key)
    assert stored is not None
    payload = pickle.dumps((key, _flip(stored)), protocol=pickle.HIGHEST_PROTOCOL)
    if checksum == "sha256":  # the key and the checksum are computable by anyone who can write the folder
        tag = hashlib.sha256(payload).digest()
    else:  # authenticated, but with a key that is not this user's
        tag = cache_mod.seal(os.urandom(32), b"kubernetes\0" + key, payload)
    entry.write_bytes(MAGIC + tag + payload)
    second = _scan(pod, cache_dir)
    assert second.exit_code == 1, second.output  # still fails: the forged entry was not believed
    assert json.loads(second.stdout)["findings"] == json.loads(first.stdout)["findings"]


def _pack_entry(cache_dir: Path) -> Path:
    (entry,) = cache_dir.glob("policies-*.json")
    return entry


def _forged_pack(text: str) -> str:
    """What a forger would write: the pack with every condition made to hold, with or without
    the header line this version writes."""
    head, _, body = text.partition("\n")
    docs = json.loads(body if body and not head.startswith("[") else text)
    for doc in docs:
        doc["applies_to"] = {"source": "any", "types": ["NoSuchKind"]}
    return json.dumps(docs)


@pytest.mark.parametrize("forgery", ["flipped", "malformed"])
def test_a_rewritten_policy_pack_entry_is_not_believed(pod: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       forgery: str) -> None:
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("SOC2IAC_CACHE_DIR", str(cache_dir))
    monkeypatch.setattr(policy, "_compiled", lambda files: None)  # an edited pack: validated and cached
    policy._builtin.cache_clear()
    try:
        reference = policy._builtin()
        entry = _pack_entry(cache_dir)
        if forgery == "flipped":
            entry.write_text(_forged_pack(entry.read_text()))
        else:  # parses, has the right length, but misses what a policy must have
            entry.write_text(json.dumps([{"id": p.id, "title": "x", "severity": "high", "criteria": [], "area": "x",
                                          "applies_to": {}, "check": {}, "description": "", "remediation": ""}
                                         for p in reference]))
        policy._builtin.cache_clear()
        assert policy._builtin() == reference
        policy._builtin.cache_clear()
        out = _scan(pod, cache_dir)
        assert out.exit_code == 1, out.output
        assert "internal error" not in out.output
    finally:
        policy._builtin.cache_clear()


def test_an_entry_over_the_size_bound_is_not_read(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    key = cache.key("kubernetes", ["x"])
    cache.put("kubernetes", key, ("ok", [], 0))
    path = cache._path("kubernetes", key)
    with path.open("r+b") as handle:  # sparse: no disk used, but a whole read would take its size in memory
        handle.truncate(cache_mod.MAX_ENTRY_BYTES + 1)
    tracemalloc.start()
    try:
        assert Cache(tmp_path / "cache").get("kubernetes", key) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_the_key_lives_outside_the_cache_folder_and_only_its_owner_reads_it(pod: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    assert _scan(pod, cache_dir).exit_code == 1
    key = cache_mod.key_file()
    assert key.is_file() and not key.resolve().is_relative_to(cache_dir.resolve())
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not [p for p in cache_dir.rglob("*") if p.is_file() and p.read_bytes() == key.read_bytes()]


def test_a_key_others_can_read_or_a_cache_folder_holding_the_key_is_not_used(
        pod: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    assert _scan(pod, cache_dir).exit_code == 1
    key = cache_mod.key_file()
    key.chmod(0o644)
    try:
        out = _scan(pod, tmp_path / "other")
        assert out.exit_code == 1 and "can be read or written by other users" in out.output
        assert not _entries(tmp_path / "other", "kubernetes")
    finally:
        key.chmod(0o600)
    out = _scan(pod, key.parent.parent)  # the state folder as cache folder: the key would sit in it
    assert out.exit_code == 1 and "holds the cache key" in out.output


def test_a_key_from_the_environment_serves_ci(pod: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("SOC2IAC_CACHE_KEY", "a CI secret")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "fresh-state"))
    assert _scan(pod, cache_dir).exit_code == 1
    assert not (tmp_path / "fresh-state").exists()  # no key file made
    warm = Cache(cache_dir)
    (entry,) = _entries(cache_dir, "kubernetes")
    assert warm.get("kubernetes", bytes.fromhex(entry.parent.name + entry.name)) is not None
    monkeypatch.setenv("SOC2IAC_CACHE_KEY", "another secret")  # a run without the secret: nothing believed
    assert Cache(cache_dir).get("kubernetes", bytes.fromhex(entry.parent.name + entry.name)) is None
