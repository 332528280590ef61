from __future__ import annotations

from pathlib import Path

import pytest

from soc2iac.engine import Index
from soc2iac.model import Ref, Unknown
from soc2iac.parsers.terraform import TerraformLoader, attribute_lines


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def load(root: Path, **kw) -> dict[str, object]:
    loader = TerraformLoader(**kw)
    res = loader.root_resources(root)
    assert not loader.diag.problems, loader.diag.problems
    return {r.address: r for r in res}


def test_module_addresses_inputs_and_outputs(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": '''
module "logs" {
  source    = "./modules/logs"
  retention = 7
}
resource "aws_cloudtrail" "t" {
  name           = "t"
  s3_bucket_name = module.logs.bucket_id
}
''',
        "modules/logs/main.tf": '''
variable "retention" { default = 365 }
resource "aws_cloudwatch_log_group" "this" {
  retention_in_days = var.retention
}
resource "aws_s3_bucket" "this" { bucket = "logs" }
output "bucket_id" { value = aws_s3_bucket.this.id }
''',
    })
    res = load(tmp_path)
    group = res["module.logs.aws_cloudwatch_log_group.this"]
    assert group.attributes["retention_in_days"] == 7
    assert group.location.file.endswith("modules/logs/main.tf") and group.location.start_line == 3
    trail = res["aws_cloudtrail.t"]
    value = trail.attributes["s3_bucket_name"]
    assert isinstance(value, Ref) and value.address == "module.logs.aws_s3_bucket.this"
    # the edge the engine follows (Resource.references, a second copy of it, is gone)
    bucket = res["module.logs.aws_s3_bucket.this"]
    assert (trail, True) in Index(list(res.values())).pointing_at(bucket, "aws_cloudtrail", "s3_bucket_name", None)


def test_variables_tfvars_var_file_and_locals(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": '''
variable "a" { default = 1 }
variable "b" { default = 2 }
variable "c" {}
variable "d" { default = 4 }
locals {
  name = "app-${var.a}"
  both = "${local.name}-${var.b}"
}
resource "aws_x" "y" {
  a    = var.a
  b    = var.b
  c    = var.c
  d    = var.d
  name = local.both
}
''',
        "terraform.tfvars": "a = 10\n",
        "x.auto.tfvars": "b = 20\n",
        "extra.tfvars": "d = 40\n",
    })
    attrs = load(tmp_path, var_files=[tmp_path / "extra.tfvars"])["aws_x.y"].attributes
    assert (attrs["a"], attrs["b"], attrs["d"]) == (10, 20, 40)
    assert isinstance(attrs["c"], Unknown) and "no default" in attrs["c"].reason
    assert attrs["name"] == "app-10-20"


@pytest.mark.parametrize("expr, expected", [
    ('jsonencode({Version = "2012-10-17"})', '{"Version":"2012-10-17"}'),
    ('merge({a = 1}, {b = 2})', {"a": 1, "b": 2}),
    ('lower("ABC")', "abc"),
    # python-hcl2 renders this concat([a], [b]) (its list literals lose their quotes); the
    # expression is read from the source text instead, as Terraform reads it
    ('concat(["a"], ["b"])', ["a", "b"]),
])
def test_pure_functions_of_known_values(tmp_path: Path, expr: str, expected: object) -> None:
    write(tmp_path, {"main.tf": f'resource "aws_x" "y" {{\n  v = {expr}\n}}\n'})
    assert load(tmp_path)["aws_x.y"].attributes["v"] == expected


@pytest.mark.parametrize("expr", [
    "timestamp()",                       # function not evaluated statically
    "data.aws_caller_identity.me.account_id",  # data source attribute
    "var.enabled ? 1 : 2",               # conditional
    "lower(var.nodefault)",              # function of an unknown
])
def test_unknowable_values_are_unknown(tmp_path: Path, expr: str) -> None:
    write(tmp_path, {"main.tf": f'variable "nodefault" {{}}\nresource "aws_x" "y" {{\n  v = {expr}\n}}\n'})
    assert isinstance(load(tmp_path)["aws_x.y"].attributes["v"], Unknown)


def test_count_zero_is_not_created_and_dynamic_blocks_are_unknown(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
resource "aws_x" "gone" {
  count = 0
}
resource "aws_x" "dyn" {
  dynamic "ingress" {
    for_each = var.rules
    content { from_port = ingress.value }
  }
}
variable "rules" {}
'''})
    res = load(tmp_path)
    assert "aws_x.gone" not in res
    assert isinstance(res["aws_x.dyn"].attributes["ingress"], Unknown)


def test_data_sources_providers_and_variables_are_resources(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
provider "aws" {
  region = "eu-west-1"
}
data "aws_iam_policy_document" "p" {
  statement {
    actions = ["s3:GetObject"]
  }
}
variable "db_password" {
  default   = "x"
  sensitive = true
}
'''})
    res = load(tmp_path)
    assert res["provider.aws"].attributes["region"] == "eu-west-1"
    assert res["data.aws_iam_policy_document.p"].attributes["statement"][0]["actions"] == ["s3:GetObject"]
    var = res["var.db_password"]
    assert var.type == "variable" and var.attributes["default"] == "x" and var.location.start_line == 10


def test_attribute_lines_nested_blocks_objects_and_heredocs() -> None:
    text = """resource "aws_x" "y" {
  name = "a"
  policy = <<POLICY
{ "not": "a block {" }
POLICY
  logging {
    target_bucket = "b"
  }
  logging {
    target_bucket = "c"
  }
  tags = {
    Env = "prod"
  }
}""".splitlines()
    lines = attribute_lines(text, 1, len(text))
    assert lines["name"] == 2 and lines["policy"] == 3
    assert lines["logging[0].target_bucket"] == 7 and lines["logging[1].target_bucket"] == 10
    assert lines["tags.Env"] == 13


def test_malformed_file_is_a_problem_with_line_and_others_still_load(tmp_path: Path) -> None:
    write(tmp_path, {"bad.tf": 'resource "aws_x" "y" {\n  a = \n}\n', "good.tf": 'resource "aws_x" "z" {}\n'})
    loader = TerraformLoader()
    res = loader.root_resources(tmp_path)
    assert [r.address for r in res] == ["aws_x.z"]
    (problem,) = loader.diag.problems
    assert problem.file.endswith("bad.tf") and problem.line == 2 and "invalid HCL" in problem.message


def test_remote_modules_are_noticed_not_fetched(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'})
    loader = TerraformLoader()
    assert loader.root_resources(tmp_path) == []
    assert any("non-local source" in n for n in loader.diag.notices)


def test_constructs_python_hcl2_rejects_late_still_name_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {"p.tf": 'resource "aws_iam_policy" "p" {\n  policy = <<EOT # comment\n{}\nEOT\n}\n'})
    loader = TerraformLoader()
    loader.root_resources(tmp_path)
    (problem,) = loader.diag.problems
    assert problem.line == 2 and "Heredoc" in problem.message


def test_conditionals_with_known_conditions_are_evaluated(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
variable "create" { default = false }
variable "kms" { default = null }
resource "aws_x" "maybe" {
  count = var.create ? 1 : 0
}
resource "aws_x" "y" {
  sse   = var.kms != null ? "aws:kms" : "AES256"
  multi = var.create || true ? "yes" : "no"
}
'''})
    res = load(tmp_path)
    assert "aws_x.maybe" not in res
    assert res["aws_x.y"].attributes["sse"] == "AES256" and res["aws_x.y"].attributes["multi"] == "yes"


def test_references_survive_unknown_expressions(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
locals {
  vpc_id = try(aws_vpc.this[0].id, "")
}
variable "create_vpc" {}
resource "aws_vpc" "this" {
  count = var.create_vpc ? 1 : 0
}
resource "aws_s3_bucket" "logs" {}
resource "aws_flow_log" "f" {
  vpc_id          = local.vpc_id
  log_destination = "${aws_s3_bucket.logs.arn}/flow/"
}
'''})
    flow = load(tmp_path)["aws_flow_log.f"]
    # whether aws_vpc.this[0] exists is not known: try() may or may not yield its id, a possible edge only
    vpc_id = flow.attributes["vpc_id"]
    assert isinstance(vpc_id, Unknown) and not isinstance(vpc_id, Ref) and vpc_id.refs == ("aws_vpc.this",)
    # a template around one reference is derived from that resource: a certain edge
    dest = flow.attributes["log_destination"]
    assert isinstance(dest, Ref) and dest.address == "aws_s3_bucket.logs"
    assert "/flow/" not in dest.reason  # literal template text is never quoted in reasons


def test_provider_aliases_get_distinct_addresses(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'provider "aws" {}\nprovider "aws" {\n  alias = "us"\n}\n'})
    assert {"provider.aws", "provider.aws.us"} <= set(load(tmp_path))


def test_modules_never_instantiated_are_not_scanned(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": '''
variable "archive" { default = false }
module "off" {
  source = "./m"
  count  = var.archive ? 1 : 0
}
module "none" {
  source   = "./m"
  for_each = {}
}
module "on" {
  source = "./m"
}
''',
        "m/main.tf": 'resource "aws_s3_bucket" "this" {}\n',
    })
    assert [a for a in load(tmp_path) if "aws_s3_bucket" in a] == ["module.on.aws_s3_bucket.this"]


def test_dynamic_blocks_with_known_for_each_expand(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
variable "categories" { default = ["audit", "allLogs"] }
variable "grants" { default = [] }
variable "unknown" {}
resource "aws_x" "d" {
  dynamic "enabled_log" {
    for_each = var.categories
    content {
      category = enabled_log.value
    }
  }
  dynamic "grant" {
    for_each = var.grants
    iterator = g
    content { id = g.value }
  }
  dynamic "rule" {
    for_each = var.unknown
    content { x = rule.value }
  }
}
'''})
    res = load(tmp_path)["aws_x.d"]
    assert res.attributes["enabled_log"] == [{"category": "audit"}, {"category": "allLogs"}]
    assert "grant" not in res.attributes
    assert isinstance(res.attributes["rule"], Unknown)
    assert res.line_of("enabled_log[1].category") == 6


@pytest.mark.parametrize("expr, expected", [
    ('lookup({prod = 400, dev = 7}, "dev", 30)', 7),
    ('coalesce(null, "", 7)', 7),
    ('try(local.settings.nope, 14)', 14),
    ('try(local.settings.retention, 1)', 400),
    ('length({a = 1, b = 2})', 2),
    ('format("%s-%d", "app", 3)', "app-3"),
])
def test_more_pure_functions(tmp_path: Path, expr: str, expected: object) -> None:
    write(tmp_path, {"main.tf": f'locals {{\n  settings = {{ retention = 400 }}\n}}\n'
                                f'resource "aws_x" "y" {{\n  v = {expr}\n}}\n'})
    assert load(tmp_path)["aws_x.y"].attributes["v"] == expected


def test_coalesce_with_an_unknown_first_argument_is_unknown(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'variable "x" {}\nresource "aws_x" "y" {\n  v = coalesce(var.x, "b")\n}\n'})
    assert isinstance(load(tmp_path)["aws_x.y"].attributes["v"], Unknown)


def test_extra_labels_and_non_block_dynamic_do_not_crash(tmp_path: Path) -> None:
    """Found by fuzzing: `resource "a" "b" "dynamic"` made python-hcl2 give a dynamic of the wrong shape."""
    write(tmp_path, {"main.tf": 'resource "aws_x" "a" "dynamic" {\n  name = "x"\n}\n'
                                'resource "aws_x" "b" {\n  dynamic = "not a block"\n}\n'})
    loader = TerraformLoader()
    loader.root_resources(tmp_path)  # no exception
    assert not loader.diag.problems


def test_count_and_for_each_expand_into_terraforms_instances(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": '''
resource "aws_ebs_volume" "disks" {
  for_each  = { a = true, b = false }
  encrypted = each.value
  tags      = { Name = "disk-${each.key}" }
}
resource "aws_cloudwatch_log_group" "g" {
  count             = local.create ? 2 : 0
  retention_in_days = count.index == 0 ? 365 : 7
}
resource "aws_cloudwatch_log_group" "off" {
  for_each = toset([for l in var.logs : l if var.create_log_group])
}
resource "aws_s3_bucket" "one" {
  count = 1
}
resource "aws_s3_bucket_policy" "p" {
  count  = length(aws_s3_bucket.one)
  bucket = aws_s3_bucket.one[count.index].id
}
module "logs" {
  source   = "./m"
  for_each = toset(["audit", "access"])
  name     = each.key
}
''',
        "locals.tf": 'locals {\n  create = var.create && var.region != ""\n}\n',
        "variables.tf": '''
variable "create" { default = true }
variable "region" { default = "eu-west-1" }
variable "logs" { default = ["a"] }
variable "create_log_group" { default = false }
''',
        "m/main.tf": 'variable "name" {}\nresource "aws_cloudwatch_log_group" "this" {\n  name = var.name\n}\n'
                     'output "name" {\n  value = aws_cloudwatch_log_group.this.name\n}\n',
    })
    res = load(tmp_path)
    addresses = sorted(a for a in res if not a.startswith("var.") and ".var." not in a)
    assert addresses == [
        'aws_cloudwatch_log_group.g[0]', 'aws_cloudwatch_log_group.g[1]',
        'aws_ebs_volume.disks["a"]', 'aws_ebs_volume.disks["b"]',
        'aws_s3_bucket.one[0]', 'aws_s3_bucket_policy.p[0]',
        'module.logs["access"].aws_cloudwatch_log_group.this', 'module.logs["audit"].aws_cloudwatch_log_group.this',
    ]
    assert res['aws_ebs_volume.disks["a"]'].attributes["encrypted"] is True
    assert res['aws_ebs_volume.disks["b"]'].attributes["tags"] == {"Name": "disk-b"}
    assert [res[f"aws_cloudwatch_log_group.g[{i}]"].attributes["retention_in_days"] for i in (0, 1)] == [365, 7]
    policy = res["aws_s3_bucket_policy.p[0]"].attributes["bucket"]
    assert isinstance(policy, Ref) and policy.address == "aws_s3_bucket.one[0]"
    assert res['module.logs["audit"].aws_cloudwatch_log_group.this'].attributes["name"] == "audit"
    # every instance keeps its block's file and lines
    assert {res[f"aws_cloudwatch_log_group.g[{i}]"].location.start_line for i in (0, 1)} == {7}
    assert res["aws_cloudwatch_log_group.g[1]"].line_of("retention_in_days") == 9


def test_an_unknown_count_gives_one_resource_that_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
variable "n" {}
resource "aws_ebs_volume" "v" {
  count     = var.n
  encrypted = false
  size      = count.index + 1
}
'''})
    (vol,) = [r for a, r in load(tmp_path).items() if a.startswith("aws_")]
    assert vol.address == "aws_ebs_volume.v" and vol.attributes["encrypted"] is False
    size = vol.attributes["size"]
    assert isinstance(size, Unknown) and "cannot be told apart" in size.reason and "var" in size.reason


def test_module_outputs_through_for_each_and_optional_attributes(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": '''
module "groups" {
  source   = "./m"
  for_each = { api = { retention = 30 }, worker = {} }
  settings = each.value
}
resource "aws_ssm_parameter" "names" {
  type  = length([for k, m in module.groups : m.name]) > 1 ? "StringList" : "String"
  value = module.groups["api"].retention
}
''',
        "m/main.tf": '''
variable "settings" {
  type = object({ retention = optional(number, 365) })
}
resource "aws_cloudwatch_log_group" "this" {
  retention_in_days = var.settings.retention
}
output "name" {
  value = aws_cloudwatch_log_group.this.name
}
output "retention" {
  value = var.settings.retention
}
''',
    })
    res = load(tmp_path)
    assert res['module.groups["worker"].aws_cloudwatch_log_group.this'].attributes["retention_in_days"] == 365
    assert res["aws_ssm_parameter.names"].attributes == {"type": "StringList", "value": 30}


def test_unknowns_carry_their_cause(tmp_path: Path) -> None:
    """Why a verdict is unknown is set where the unknown is made, and each cause has its heading."""
    from soc2iac.config import Config
    from soc2iac.policy import load_policies
    from soc2iac.reporters import renderer
    from soc2iac.scanner import scan

    (tmp_path / "main.tf").write_text('''variable "enc" {}
resource "aws_ebs_volume" "plan_time" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = var.enc
}
resource "aws_ebs_volume" "not_evaluated" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = file("flag.txt") == "true"
}
resource "aws_ebs_volume" "deeply" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = coalesce(file("flag.txt"), "x") == "true"
}
''')
    policy = next(p for p in load_policies() if p.id == "aws-ebs-volume-encrypted")
    result = scan([str(tmp_path)], policies=[policy], config=Config())
    causes = {f.resource: f.cause for f in result.findings}
    assert causes == {"aws_ebs_volume.plan_time": "after-apply", "aws_ebs_volume.not_evaluated": "evaluator",
                      "aws_ebs_volume.deeply": "evaluator"}
    text = renderer("text")(result)
    assert "Unknown (1): Not knowable before plan or apply" in text
    assert "Unknown (2): Beyond what the evaluator can decide" in text
    assert '"cause": "evaluator"' in renderer("json")(result)
