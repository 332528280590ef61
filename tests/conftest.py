from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("soc2iac-cache")


@pytest.fixture(scope="session")
def _state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("soc2iac-state")


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _cache_dir: Path, _state_dir: Path) -> None:
    """Tests never pick up a developer's .soc2iac.yaml from the working directory, nor their cache
    or cache key."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("SOC2IAC_CACHE_DIR", str(_cache_dir))
    monkeypatch.setenv("XDG_STATE_HOME", str(_state_dir))
    monkeypatch.delenv("SOC2IAC_CACHE_KEY", raising=False)


def soc2iac_cmd() -> list[str]:
    """The installed console script when present, else the module (same code)."""
    exe = Path(sys.executable).parent / ("soc2iac.exe" if os.name == "nt" else "soc2iac")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "soc2iac"]


try:  # fuzzing profiles (tests/test_fuzz.py): `pytest --hypothesis-profile=long` or SOC2IAC_FUZZ_LONG=1
    from hypothesis import HealthCheck, settings

    _FUZZ_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    settings.register_profile("soc2iac", deadline=None, suppress_health_check=_FUZZ_CHECKS)
    settings.register_profile("long", max_examples=5_000, deadline=None, suppress_health_check=_FUZZ_CHECKS)
    settings.load_profile("long" if os.environ.get("SOC2IAC_FUZZ_LONG") == "1" else "soc2iac")
except ImportError:  # hypothesis is a dev dependency; test_fuzz.py skips without it
    pass
