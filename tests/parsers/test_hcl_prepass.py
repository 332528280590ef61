"""Valid HCL that python-hcl2 7.x rejects is rewritten without moving any line."""

from __future__ import annotations

from pathlib import Path

import pytest

from soc2iac.parsers.hcl_prepass import normalize
from soc2iac.parsers.terraform import TerraformLoader

CASES = {
    "crlf": 'resource "aws_x" "a" {\r\n  v = "x"\r\n}\r\n',
    "multiline_conditional": 'resource "aws_x" "a" {\n  v = (\n    var.on\n    ? "x"\n    : "y"\n  )\n}\n',
    "multiline_or": 'resource "aws_x" "a" {\n  v = (\n    var.on\n    || true\n  ) ? "x" : "y"\n}\n',
    "inline_block_comment": 'resource "aws_x" "a" {\n  v = /* inline */ "x"\n}\n',
    "multiline_interpolation": 'resource "aws_x" "a" {\n  v = "${\n    var.name\n  }"\n}\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_accepted_and_lines_kept(tmp_path: Path, name: str) -> None:
    text = CASES[name] + 'resource "aws_x" "b" {\n  w = 1\n}\n'
    (tmp_path / "main.tf").write_bytes(text.encode())
    (tmp_path / "vars.tf").write_text('variable "on" { default = true }\nvariable "name" { default = "x" }\n')
    loader = TerraformLoader()
    res = {r.address: r for r in loader.root_resources(tmp_path)}
    assert not loader.diag.problems, loader.diag.problems
    assert res["aws_x.a"].attributes["v"] == "x"
    expected_b = text.replace("\r\n", "\n").splitlines().index('resource "aws_x" "b" {') + 1
    assert res["aws_x.b"].location.start_line == expected_b
    assert res["aws_x.b"].line_of("w") == expected_b + 1


def test_line_count_strings_and_heredocs_untouched() -> None:
    text = 'a = "(\\"${x}"\nb = <<EOT\n  ( not code\nEOT\nc = { k = 1\n  j = 2 }\n# ( comment\n'
    out = normalize(text)
    assert out.count("\n") == text.count("\n")
    assert out == text  # nothing here needs rewriting


def test_heredoc_inside_a_call_keeps_its_terminator_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_x" "a" {\n  v = base64encode(<<-EOT\n    a: 1\n  EOT\n  )\n  w = 2\n}\n')
    loader = TerraformLoader()
    (res,) = loader.root_resources(tmp_path)
    assert not loader.diag.problems and res.line_of("w") == 6
