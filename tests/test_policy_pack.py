"""The built-in policy pack ships compiled (``soc2iac/data/policy_pack.json``): validated when it is
written, loaded at run time without YAML parsing or jsonschema when the pack files are the ones it
was compiled from, and validated as before when they are not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from soc2iac import policy


def test_the_compiled_pack_is_fresh() -> None:
    assert policy.compiled_path().read_text(encoding="utf-8") == policy.compile_pack(), (
        "soc2iac/data/policy_pack.json is stale: run `python -m soc2iac.catalog --write README.md`")


def test_the_compiled_pack_loads_what_validation_loads() -> None:
    files = policy.policy_files(policy.builtin_policy_dir())
    compiled = policy._compiled(files)
    assert compiled is not None
    assert compiled == tuple(policy.load_directory(policy.builtin_policy_dir()))


def test_an_edited_pack_is_validated_not_taken_from_the_compiled_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "policies"
    pack.mkdir()
    for path in policy.policy_files(policy.builtin_policy_dir()):
        (pack / path.name).write_bytes(path.read_bytes())
    edited = pack / "nginx-tls12.yaml"
    edited.write_text(edited.read_text().replace("severity: high", "severity: low", 1))
    files = policy.policy_files(pack)
    assert policy._compiled(files) is None  # the digest no longer matches
    monkeypatch.setattr(policy, "builtin_policy_dir", lambda: pack)
    monkeypatch.setenv("SOC2IAC_NO_CACHE", "1")
    loaded = {p.id: p for p in policy._builtin.__wrapped__()}  # type: ignore[attr-defined]
    assert loaded["nginx-tls12"].severity == "low"
    edited.write_text(edited.read_text().replace("severity: low", "severity: nonsense", 1))
    with pytest.raises(policy.Soc2iacError, match="nginx-tls12.yaml"):
        policy._builtin.__wrapped__()  # type: ignore[attr-defined]


def test_a_damaged_compiled_file_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    files = policy.policy_files(policy.builtin_policy_dir())
    good = json.loads(policy.compiled_path().read_text())
    for damaged in ("", "{", json.dumps({**good, "policies": good["policies"][1:]}), json.dumps([1])):
        monkeypatch.setattr(policy, "_data_text", lambda name, d=damaged, real=policy._data_text:
                            d if name == policy.COMPILED else real(name))
        assert policy._compiled(files) is None


def test_loading_the_pack_needs_neither_jsonschema_nor_python_hcl2() -> None:
    code = ("import sys; from soc2iac.policy import load_policies; load_policies(); "
            "print(sorted(m for m in ('jsonschema', 'hcl2', 'lark', 'kubernetes') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
