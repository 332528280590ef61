"""Root identity: two root folders calling one module are told apart in every output, in waivers
and in baselines; a value set by a module argument names the caller's line too."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from test_cli import run

MODULE = """variable "password" {
  type = string
}

variable "encrypted" {
  type    = bool
  default = true
}

variable "managed" {
  type    = bool
  default = true
}

locals {
  encrypt = var.encrypted
}

resource "aws_db_instance" "this" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  password          = var.managed ? null : var.password
  storage_encrypted = local.encrypt
}
"""

CALLER = """module "db" {{
  source    = "../modules/db"
  password  = "Sup3rS3cretPassw0rd!"
  encrypted = {encrypted}
  managed   = false
}}
"""

SECRET = "tf-no-literal-secrets"
ENCRYPTED = "aws-rds-instance-encrypted"
ADDRESS = "module.db.aws_db_instance.this"


def _tree(tmp_path: Path, *, roots: tuple[str, ...] = ("a", "b")) -> Path:
    (tmp_path / "modules" / "db").mkdir(parents=True)
    (tmp_path / "modules" / "db" / "main.tf").write_text(MODULE)
    for name in roots:
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(CALLER.format(encrypted="false" if name == "a" else "true"))
    return tmp_path


def _scan(tmp_path: Path, *args: str) -> dict:
    # the roots call ../modules: the repository is the tree the scan may read (as the pre-commit hook says)
    proc = run("scan", *args, "-f", "json", "--include-root", ".", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _verdicts(doc: dict, policy: str) -> dict[str, dict]:
    return {f["resource"]: f for f in doc["findings"] if f["policy_id"] == policy}


def test_two_roots_calling_one_module_are_told_apart_everywhere(tmp_path: Path) -> None:
    _tree(tmp_path)
    doc = _scan(tmp_path, "a", "b")
    assert doc["schema_version"] == "2.1"
    enc = _verdicts(doc, ENCRYPTED)
    assert {k: f["verdict"] for k, f in enc.items()} == {f"a:{ADDRESS}": "fail", f"b:{ADDRESS}": "pass"}
    assert {f["scope"] for f in enc.values()} == {"a", "b"}
    # the value came from the caller: its argument line is named (through a local)
    assert enc[f"a:{ADDRESS}"]["set_at"] == ["a/main.tf:4"]
    secret = _verdicts(doc, SECRET)
    # of a conditional whose test is known, the branch taken only (not `managed`, line 5)
    assert secret[f"b:{ADDRESS}"]["set_at"] == ["b/main.tf:3"]
    assert secret[f"b:{ADDRESS}"]["file"] == "modules/db/main.tf"
    text = run("scan", "a", "b", "--include-root", ".", cwd=tmp_path).stdout
    assert f"a:{ADDRESS}  (modules/db/main.tf:23; set at a/main.tf:4)" in text
    sarif = json.loads(run("scan", "a", "b", "-f", "sarif", "--include-root", ".", cwd=tmp_path).stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == ENCRYPTED]
    (related,) = results[0]["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "a/main.tf"
    assert related["physicalLocation"]["region"]["startLine"] == 4
    assert results[0]["properties"]["resource"] == f"a:{ADDRESS}"
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    csv_text = run("scan", "a", "b", "-f", "csv", "--include-root", ".", cwd=tmp_path).stdout
    assert f"a:{ADDRESS}" in csv_text and f"b:{ADDRESS}" in csv_text
    junit = run("scan", "a", "b", "-f", "junit", "--include-root", ".", cwd=tmp_path).stdout
    assert f"a:{ADDRESS}" in junit


def test_one_root_keeps_bare_addresses(tmp_path: Path) -> None:
    _tree(tmp_path, roots=("a",))
    doc = _scan(tmp_path, "a")
    assert set(_verdicts(doc, ENCRYPTED)) == {ADDRESS}
    assert _verdicts(doc, ENCRYPTED)[ADDRESS]["scope"] == "a"


def test_waivers_name_a_root_or_every_root(tmp_path: Path) -> None:
    _tree(tmp_path)
    register = tmp_path / "w.yaml"
    register.write_text(f"waivers:\n  - policy: {SECRET}\n    resources: 'a:module.db.*'\n"
                        "    reason: test database of example a, rotated daily\n    approved_by: cto\n")
    secret = _verdicts(_scan(tmp_path, "a", "b", "--waivers", str(register)), SECRET)
    assert {k: f["verdict"] for k, f in secret.items()} == {f"a:{ADDRESS}": "excepted", f"b:{ADDRESS}": "fail"}
    register.write_text(f"waivers:\n  - policy: {SECRET}\n    resources: {ADDRESS}\n"
                        "    reason: example databases, rotated daily\n    approved_by: cto\n")
    secret = _verdicts(_scan(tmp_path, "a", "b", "--waivers", str(register)), SECRET)
    assert {f["verdict"] for f in secret.values()} == {"excepted"}


def test_a_waiver_without_an_instance_key_covers_every_instance(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  for_each = toset(["x", "y"])\n  bucket = each.key\n}\n'
        'resource "aws_s3_bucket" "c" {\n  count  = 2\n  bucket = "c${count.index}"\n}\n')
    register = tmp_path / "w.yaml"
    register.write_text("waivers:\n  - policy: aws-s3-bucket-encrypted\n    resources: [aws_s3_bucket.b, "
                        "'aws_s3_bucket.c[1]']\n    reason: public assets, no customer data\n    approved_by: cto\n")
    doc = _scan(tmp_path, ".", "--waivers", str(register))
    got = {k: f["verdict"] for k, f in _verdicts(doc, "aws-s3-bucket-encrypted").items()}
    assert got == {'aws_s3_bucket.b["x"]': "excepted", 'aws_s3_bucket.b["y"]': "excepted",
                   "aws_s3_bucket.c[0]": "fail", "aws_s3_bucket.c[1]": "excepted"}


def test_baseline_tells_roots_apart(tmp_path: Path) -> None:
    _tree(tmp_path)
    base = tmp_path / "base.json"
    base.write_text(json.dumps(_scan(tmp_path, "a", "b")))
    (tmp_path / "b" / "main.tf").write_text(CALLER.format(encrypted="false"))
    doc = _scan(tmp_path, "a", "b", "--baseline", str(base))
    marks = {k: f.get("baseline") for k, f in _verdicts(doc, ENCRYPTED).items()}
    assert marks == {f"a:{ADDRESS}": "existing", f"b:{ADDRESS}": "new"}
    # a baseline of one root (bare addresses) still marks that root's fails as existing
    one = tmp_path / "one.json"
    (tmp_path / "b" / "main.tf").write_text(CALLER.format(encrypted="true"))
    one.write_text(json.dumps(_scan(tmp_path, "a")))
    doc = _scan(tmp_path, "a", "--baseline", str(one))
    assert _verdicts(doc, ENCRYPTED)[ADDRESS]["baseline"] == "existing"
