from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never pick up a developer's .soc2iac.yaml from the working directory."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")


def soc2iac_cmd() -> list[str]:
    """The installed console script when present, else the module (same code)."""
    exe = Path(sys.executable).parent / ("soc2iac.exe" if os.name == "nt" else "soc2iac")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "soc2iac"]
