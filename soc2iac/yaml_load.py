"""YAML for soc2iac's own data and the user's config files: PyYAML's safe loader, through its
libyaml binding when PyYAML was built with it (about ten times faster: the data files are read on
every run)."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with the fastest safe loader available."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
