"""Real gateway configurations from public projects (issue 20): soc2iac gives on each what a
reviewer expects, as listed in tests/real_configs/expectations.yaml. The files are read from
fetched git mirrors by repository, commit and path (tests/tools/real_configs.py), never kept here;
an entry whose mirror is absent is skipped with a message saying which one to fetch."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("real_configs", Path(__file__).parent / "tools" / "real_configs.py")
assert _SPEC and _SPEC.loader
real_configs = importlib.util.module_from_spec(_SPEC)
sys.modules["real_configs"] = real_configs
_SPEC.loader.exec_module(real_configs)

ENTRIES = real_configs.load()


def test_the_list_is_large_and_varied() -> None:
    products = {e.product for e in ENTRIES}
    assert len(ENTRIES) >= 30 and {"istio", "envoy", "nginx", "kong", "traefik", "gateway-api", "ingress-nginx"} <= products
    assert len({e.name for e in ENTRIES}) == len(ENTRIES)
    assert all(e.expect and len(e.commit) == 40 for e in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_real_config(entry: "real_configs.Entry") -> None:
    why = real_configs.missing(entry)
    if why:
        pytest.skip(why)
    with tempfile.TemporaryDirectory(prefix="soc2iac-real-") as tmp:
        misses = real_configs.compare(entry, real_configs.findings(entry, Path(tmp)), Path(tmp))
    assert not misses, f"{entry.name} ({entry.note}):\n" + "\n".join(misses)
