"""A fresh venv for install tests that borrows this environment's dependencies without soc2iac.

The new venv's site-packages gets a .pth line naming a folder of links to every entry of this
environment's site-packages except soc2iac's own (package, dist-info, editable finder) and .pth
files: pip in the new venv then sees the dependencies installed (no index needed) and no soc2iac,
so it installs the one under test there and never touches this environment.
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def _ours() -> list[Path]:
    return sorted({Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")})


def _deps_view(view: Path) -> Path:
    view.mkdir(parents=True, exist_ok=True)
    for site in _ours():
        for entry in site.iterdir():
            name = entry.name.lower()
            if name.endswith(".pth") or "soc2iac" in name or (view / entry.name).exists():
                continue
            (view / entry.name).symlink_to(entry)
    return view


def clean_env() -> dict[str, str]:
    """No PYTHONPATH: a clone on it would shadow (and to pip, satisfy) the installed package."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}


def fresh_venv(where: Path) -> Path:
    """Make the venv; return its bin folder (python, and after an install the soc2iac script)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where / "venv")], check=True, timeout=120)
    bindir = where / "venv" / ("Scripts" if os.name == "nt" else "bin")
    purelib = subprocess.run([str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, env=clean_env()).stdout.strip()
    (Path(purelib) / "_soc2iac_test_deps.pth").write_text(f"{_deps_view(where / 'deps')}\n")
    return bindir


def offline_pip_env() -> dict[str, str]:
    """pip settings for an install from a source folder without the network: no index, no build
    isolation (the backend comes from the borrowed dependencies)."""
    return {**clean_env(), "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
