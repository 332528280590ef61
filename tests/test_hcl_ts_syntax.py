"""Differential test: expression trees built from the tree-sitter tree equal hcl_syntax's.

``hcl_ts_syntax.parse(text)[1]`` must equal ``hcl_syntax.parse_file(text)`` exactly (compared
by ``repr``: key order, ``1`` / ``1.0`` / ``True`` and ``-0.0`` told apart) or be None (left to
hcl_syntax); never a different answer, and never an answer where hcl_syntax rejects the text.
The inputs are those of ``test_hcl_treesitter`` (repository files, the generated corpus,
snippets, line break placement, seeded random expressions) plus snippets about hcl_syntax's
own reading and seeded mutations of real files. Run with ``-s`` for the counts.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("tree_sitter", reason="tree-sitter not installed (a dependency: pip install the project)")
pytest.importorskip("tree_sitter_hcl", reason="tree-sitter-hcl not installed (a dependency: pip install the project)")

import test_hcl_treesitter as inputs  # noqa: E402  (its inputs are reused here)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import corpus  # noqa: E402  (bench/corpus.py: the deterministic benchmark corpus)

from soc2iac.parsers import hcl_ts_syntax  # noqa: E402
from soc2iac.parsers.hcl_syntax import HclSyntaxError, parse_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MAX_FALLBACK = 0.02  # ordinary Terraform: the builder must take it


def _reference(text: str) -> str | None:
    try:
        return repr(parse_file(text))
    except (HclSyntaxError, RecursionError):
        return None


def compare(text: str, label: str = "") -> str:
    """'match' or 'fallback'; fails the test on any other outcome."""
    _body, built = hcl_ts_syntax.parse(text)
    if built is None:
        return "fallback"
    ref = _reference(text)
    assert ref is not None, f"{label}: built trees where hcl_syntax rejects the text:\n{text[:500]!r}"
    assert repr(built) == ref, f"{label}: trees differ\nsource: {text[:500]!r}\nref: {ref[:800]}\nnew: {built!r:.800}"
    return "match"


def _report(name: str, counts: Counter[str]) -> None:
    print(f"\n[hcl_ts_syntax] {name}: {counts['match']} matched, {counts['fallback']} fell back")


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------
def test_repository_files() -> None:
    files = inputs._hcl_files(ROOT)
    counts = Counter(compare(p.read_text(encoding="utf-8", errors="replace"), str(p.relative_to(ROOT)))
                     for p in files)
    _report(f"repository .tf/.tfvars ({len(files)} files)", counts)
    assert counts["fallback"] <= MAX_FALLBACK * len(files), counts


def test_generated_corpus(tmp_path: Path) -> None:
    corpus.generate_terraform(tmp_path, 60, 250_000)
    files = inputs._hcl_files(tmp_path)
    counts = Counter(compare(p.read_text(encoding="utf-8"), p.name) for p in files)
    _report(f"generated corpus ({len(files)} files)", counts)
    assert counts["fallback"] <= MAX_FALLBACK * len(files), counts


def test_repository_files_with_crlf() -> None:
    """The same files as a Windows checkout has them (python-hcl2 gets them normalized,
    hcl_syntax reads the carriage returns: in heredocs they are text)."""
    files = inputs._hcl_files(ROOT)
    counts = Counter(compare(p.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n"), p.name)
                     for p in files)
    _report(f"repository .tf/.tfvars with CRLF ({len(files)} files)", counts)
    assert counts["fallback"] <= MAX_FALLBACK * len(files), counts


def test_mutated_files() -> None:
    """Real files with a few characters inserted or deleted: mostly broken, sometimes odd but valid."""
    texts = [p.read_text(encoding="utf-8") for p in inputs._hcl_files(ROOT / "terraform_fixtures")]
    texts += [text.replace("\n", "\r\n") for text in texts[::4]]
    pieces = ["\n", " ", "# c\n", "/* c */", "/*\n*/", '"', "{", "}", "[", "]", "(", ")", ",", "=", "$", "%",
              "\\", "~", ".", "*", "-", "!", "?", ":", "<<", "${", "%{", "$${", "...", "for ", " if ", "\t", "0",
              "x", "\\n", "\\u00e9", "=>", "::", "\r\n", "\r"]
    rng = random.Random(21)
    counts: Counter[str] = Counter()
    for _ in range(800):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text) + 1)
            if rng.random() < 0.3:
                text = text[:i] + text[i + rng.randint(1, 3):]
            else:
                text = text[:i] + rng.choice(pieces) + text[i:]
        counts[compare(text, "mutated")] += 1
    _report("mutated fixture files", counts)
    assert counts["match"] > 150


# ---------------------------------------------------------------------------
# snippets
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(inputs.FAST))
def test_tree_sitter_fast_snippet(name: str) -> None:
    compare(inputs.FAST[name], name)


@pytest.mark.parametrize("name", sorted(inputs.FALLBACK))
def test_tree_sitter_fallback_snippet(name: str) -> None:
    compare(inputs.FALLBACK[name], name)


# hcl_syntax reads these; the builder must take them (and match)
SYNTAX = {
    "precedence": "a = a || b && c == d != e < f + g * h % i - j / k >= l",
    "left_associative": "a = a - b - c\nb = a / b * c\nc = a == b == c",
    "conditional_chains": "a = a ? b : c ? d : e\nb = a ? b ? c : d : e\nc = a + b ? c + d : e + f\nd = !a ? -b : c",
    "unary": "a = -1\nb = - 1\nc = -1.5\nd = -x\ne = !x\nf = -(1)\ng = !-x\nh = -true\ni = -0.0\nj = -0",
    "negative_operands": "a = 1 - -1\nb = -1 + 2\nc = x * -y.z[0]",
    "paren": "a = (x)\nb = (x).y\nc = ((1))\nd = (a ? b : c)[0]",
    "numbers": "a = 007\nb = 1.50\nc = 12345678901234567890\nd = 0.5",
    "traversals": "a = x.y.z\nb = x[0][\"k\"]\nc = x.0.1\nd = x[y + 1]",
    "splats": "a = x.*.y.z\nb = x[*].y[0].z\nc = x[*]\nd = x.*\ne = x[*][0]\nf = x.*.0.y\ng = x.*[0].y\n"
              "h = x[*].y[*].z\ni = x.*. y",
    "calls": "a = f()\nb = f(1, 2,)\nc = f(x...)\nd = f(x, y...)\ne = upper (\"x\")\nf = provider::aws::arn(1)\n"
             "g = f(\n  1,\n  # c\n  2\n)",
    "tuples": "a = []\nb = [1, 2,]\nc = [\n  1,\n  2\n]\nd = [for_each, x]\ne = [[1], [2, [3]]]",
    "objects": 'a = {}\nb = { a = 1, b = 2 }\nc = {\n  a = 1\n  b = 2\n}\nd = { a : 1, "b" : 2, }\n'
               'e = { (x) = 1, "${y}" = 2, z.w = 3, 4 = 5, true = 6, null = 7 }\nf = { a = { b = [ { c = 1 } ] } }\n'
               "g = {\n  a = 1,\n  b = 2,\n}\nh = { if = 1, in = 2 }",
    "for_expressions": "a = [for v in x : v]\nb = [for k, v in x : v if k != 0]\nc = {for k, v in x : k => v}\n"
                       "d = {for k, v in x : k => v... if v}\ne = {\n  for k, v in x :\n  k => v\n  if v != null\n}",
    "strings": 'a = "plain"\nb = ""\nc = "a\\nb\\tc\\"d\\\\e\\r"\nd = "\\u00e9\\U0001F600"\ne = "é ü"\n'
               'f = "#not comment // either"',
    "interpolations": 'a = "${x}"\nb = "a${x}b${y.z}c"\nc = "${ x }"\nd = "${f("q")}"\ne = "${"${x}"}"\n'
                      'f = "${x} ${y}"\ng = "${\n  x\n}"',
    "escaped_sequences": 'a = "$${x}"\nb = "%%{x}"\nc = "$$"\nd = "$"\ne = "%"\nf = "$$${x}"\ng = "100%"\nh = "a$b%c"',
    "strip_markers": 'a = "x ${~ y ~} z"\nb = "x %{~ if y ~} z %{~ endif ~}"\nc = "${~x}"\nd = "${x ~}"',
    "directives": 'a = "%{ if x }y%{ else }z%{ endif }"\nb = "%{ for v in x }${v},%{ endfor }"\n'
                  'c = "%{ for k, v in x }${k}=${v}%{ endfor }"\nd = "%{if x}%{if y}a%{endif}%{endif}"',
    "heredocs": "a = <<EOF\nplain\nEOF\nb = <<EOT\n  x ${y}\n  $${z} %{ if w }v%{ endif }\nEOT\n"
                "c = <<-EOF\n    a\n      b\n\n    c\n  EOF\nd = <<-EOF\n\tx\n\t  ${y}\n\tEOF\ne = <<EOF\nEOF\n"
                "f = <<EOF\n\\n stays\nEOF\ng = <<EOF\n  ends\n  EOF  \n",
    "heredoc_in_expressions": 'a = jsonencode(<<EOF\n{"a": "${b}"}\nEOF\n)\nb = [<<EOF\nx\nEOF\n, 1]\n'
                              "c = (x ? <<EOF\ny\nEOF\n: z)",
    "heredoc_postfix": "a = [<<EOF\nx\nEOF\n][0]\nb = [\n<<EOF\nx\nEOF\n  , 2]",
    "blocks": 'a {\n}\nb {}\nc "l" {\n  x = 1\n}\nd "l1" l2 {\n  e {\n    y = 2\n  }\n}\nf { g = 1 }\n',
    "blocks_on_one_line": "a { b { c = 1 } }\nd { e = 1 }",
    "duplicate_attributes": "a = 1\nb = 2\na = 3\nc {\n  x = 1\n  x = 2\n}",
    "duplicate_blocks": 'r "t" "n" {\n  a = 1\n}\nr "t" "n" {\n  a = 2\n}',
    "labels": 'a "x\\"y" "\\u00e9" {\n  b = 1\n}',
    "comments": "# c\na = 1 # c\n// c\nb = 2 // c\n/* c */ c = 3 /* c */\nd = [ # c\n  1, /* c */ 2\n]\n"
                "e {\n  # c\n  f = 1\n  # c\n}\n",
    "block_comments_between_items": "a = 1\n/*\nb = 2\n*/\nc = 3\nd = x /*\n*/ + 1",
    "names": "a-b = c-d\ne_f = g_h.i-j\nk = x-1",
    "tfvars": 'region = "eu-west-1"\ntags = {\n  Env = "prod"\n}\ncount = 3\n',
    "empty": "",
    "blank": "\n\n  \n",
    "only_comments": "# a\n// b\n/* c */\n",
    "no_final_newline": "a = 1",
    "line_breaks_in_brackets": "a = (\n  x\n  + y\n)\nb = f(\n  x\n  ,\n  y\n)\nc = [\n  x\n  ? 1\n  : 2\n]\nd = x[\n  0\n]",
    "crlf_free_windows_path": 'a = "C:\\\\x"',
    "crlf": 'a = "b"\r\nc = <<EOF\r\nx ${y}\r\nEOF\r\nd = <<-EOF\r\n  x\r\n\r\n    y\r\n  EOF\r\ne {\r\n  f = [\r\n    1, # c\r\n  ]\r\n}\r\n',
}

# hcl_syntax rejects these, reads them otherwise than tree-sitter, or the builder does not vouch:
# the builder must leave them to hcl_syntax
MUST_FALLBACK = {
    "line_break_after_equals": "a =\n  1",
    "operator_on_next_line": "a = x\n  + y",
    "operator_at_line_end": "a = x +\n  y",
    "question_on_next_line": "a = x\n  ? 1\n  : 2",
    "conditional_broken_in_body": "a = x ?\n  1 :\n  2",
    "two_attributes_on_one_line": "a = 1 b = 2",
    "two_items_joined_by_block_comment": "a = 1 /*\n*/ b = 2",
    "object_items_on_one_line": "a = { a = 1 b = 2 }",
    "object_comma_on_next_line": "a = {\n  a = 1\n  , b = 2\n}",
    "object_value_on_next_line": "a = {\n  a =\n  1\n}",
    "first_object_key_for": "a = { for = 1 }",
    "first_tuple_item_for": "a = [for.x]",
    "comment_before_value": "a = # c\n  1",
    "dot_on_next_line": "a = x\n  .y",
    "block_brace_on_next_line": "a\n{\n}",
    "label_interpolation": 'a "${x}" {}',
    "unknown_escape": 'a = "\\q"',
    "lone_carriage_return": "a = 1\rb = 2",
    "nbsp": "a = \u00a01",
    "form_feed": "a = 1\n\x0c\nb = 2",
    "bom": "\ufeffa = 1",
    "unicode_name": "a = éa",
    "if_without_endif": 'a = "%{ if x }y"',
    "deep_nesting": "a = " + "[" * 40 + "]" * 40,
    "long_unary_chain": "a = " + "!" * 40 + "x",
    "heredoc_in_heredoc": "a = <<EOF\n${<<EOT\nx\nEOT\n}\nEOF\n",
    "syntax_error": "a = [1, 2",
    "unterminated_string": 'a = "x',
}


@pytest.mark.parametrize("name", sorted(SYNTAX))
def test_syntax_snippet(name: str) -> None:
    assert compare(SYNTAX[name], name) == "match" or not SYNTAX[name].strip(), f"{name}: fell back"


@pytest.mark.parametrize("name", sorted(MUST_FALLBACK))
def test_must_fall_back(name: str) -> None:
    assert hcl_ts_syntax.parse(MUST_FALLBACK[name])[1] is None


# ---------------------------------------------------------------------------
# generated variants (seeded)
# ---------------------------------------------------------------------------
def test_line_break_and_comment_placement() -> None:
    counts: Counter[str] = Counter()
    for base in [*inputs.PLACEMENT_BASES, "a = { k = 1, j = [2], l = f(3) }", 'a = "x${y ? 1 : 2}z"']:
        cuts = sorted({i for i, ch in enumerate(base) if ch == " "} | {i + 1 for i, ch in enumerate(base) if ch in "([{,"})
        for cut in cuts:
            for insert in ("\n", " # c\n", " // c\n", "\n\n", " /* c */ ", "/*\n*/"):
                counts[compare(base[:cut] + insert + base[cut:], "placement")] += 1
    _report("line break / comment placement", counts)
    assert counts["match"] > counts["fallback"]


def test_random_expressions() -> None:
    rng = random.Random(20240621)
    counts: Counter[str] = Counter()
    for _ in range(1500):
        text = "a = " + inputs._random_expr(rng) + "\n"
        if rng.random() < 0.3:
            text = f'blk "l" {{\n  {text}  other = [\n    {inputs._random_expr(rng)},\n  ]\n}}\n'
        counts[compare(text, "random")] += 1
    _report("random expressions", counts)
    assert counts["match"] > 700


# ---------------------------------------------------------------------------
# whole scans
# ---------------------------------------------------------------------------
def test_same_scan_with_or_without_the_builder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The JSON result of scanning the fixtures and a generated corpus is the same whether the
    expressions come from the builder or from hcl_syntax."""
    from soc2iac.config import Config
    from soc2iac.parsers.hcl_eval import EXPRESSIONS
    from soc2iac.policy import load_policies
    from soc2iac.reporters import json_report
    from soc2iac.scanner import scan

    corpus.generate_terraform(tmp_path / "gen", 30, 120_000)
    monkeypatch.chdir(ROOT)
    paths = ["terraform_fixtures", str(tmp_path / "gen")]
    policies = load_policies([])
    built = Counter()
    real = hcl_ts_syntax.expressions

    def counting(src: bytes, root: object) -> object:
        found = real(src, root)  # type: ignore[arg-type]
        built["files"] += 1
        return found

    def refusing(src: bytes, root: object) -> object:
        raise hcl_ts_syntax.Unsupported("hcl_syntax only")

    def result() -> str:
        EXPRESSIONS.values.clear()
        doc = json.loads(json_report.render(scan(paths, policies=policies, config=Config(), cache=None, jobs=1)))
        for key in ("started_at", "finished_at"):
            doc.get("scan", {}).pop(key, None)
        return json.dumps(doc, sort_keys=True)

    monkeypatch.setattr(hcl_ts_syntax, "expressions", refusing)
    reference = result()
    monkeypatch.setattr(hcl_ts_syntax, "expressions", counting)
    assert result() == reference
    assert built["files"] > 150, built
    assert '"fail"' in reference and '"pass"' in reference
