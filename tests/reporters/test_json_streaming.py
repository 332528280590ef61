"""The JSON report written piece by piece (bounded memory on big scans) is the same text as the
document dumped at once, with and without findings."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conftest import ROOT
from soc2iac.config import Config
from soc2iac.policy import load_policies
from soc2iac.reporters import chunk_renderer, json_report
from soc2iac.scanner import scan


@pytest.mark.parametrize("paths", [["terraform_fixtures", "k8s_fixtures", "gateway_fixtures"], ["README.md"]])
def test_chunks_equal_the_whole_document(paths: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = scan(paths, policies=load_policies([]), config=Config())
    whole = json.dumps(json_report.to_document(result, fail_on="medium"), indent=2) + "\n"
    pieces = list(chunk_renderer("json")(result, fail_on="medium"))
    assert "".join(pieces) == whole == json_report.render(result, fail_on="medium")
    assert len(pieces) == len(result.findings) + 3  # head, each finding, the list end (or []), tail
    # a notice that looks like the splice point does not confuse it
    tricky = replace(result, notices=['"findings": []', "findings-0"])
    assert "".join(json_report.render_chunks(tricky)) == json.dumps(json_report.to_document(tricky), indent=2) + "\n"


def test_formats_without_chunks_come_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = scan(["k8s_fixtures"], policies=load_policies([]), config=Config())
    from soc2iac.reporters import renderer

    assert list(chunk_renderer("sarif")(result)) == [renderer("sarif")(result)]
