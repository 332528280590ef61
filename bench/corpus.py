"""Deterministic synthetic corpora for bench/run.py: Terraform, Kubernetes, gateway configs.

Everything is generated from a seeded ``random.Random``, so the same arguments give
byte-identical files on every machine. About 40 % of resources break a policy
(unencrypted buckets, NodePort Services, wildcard log deletion, ...); the rest comply.

    from corpus import generate_terraform, generate_kubernetes
    generate_terraform(Path("out/terraform"), n_files=47, total_bytes=100_000)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

# ---------------------------------------------------------------------------
# Terraform
# ---------------------------------------------------------------------------

BAD_RATE = 0.4


def _tags(n: int, extra: str = "") -> str:
    return (f'  tags = merge(var.tags, {{\n    Name      = "res-{n}"\n    Component = "{extra or "core"}"\n'
            f'    CostCenter = "cc-{n % 17:03d}"\n  }})\n')


def _s3_bucket(n: int, rng: random.Random, ok: bool) -> str:
    kind = rng.choice(["data", "logs", "artifacts", "backups", "trail"])
    out = [f'resource "aws_s3_bucket" "b{n}" {{\n  bucket        = "${{var.environment}}-{kind}-{n}"\n'
           f'  force_destroy = false\n{_tags(n, "storage")}}}\n']
    if ok or rng.random() < 0.5:
        algo = rng.choice(['"aws:kms"', '"AES256"'])
        key = "\n      kms_master_key_id = aws_kms_key.main.arn" if algo == '"aws:kms"' else ""
        out.append(f'resource "aws_s3_bucket_server_side_encryption_configuration" "b{n}" {{\n'
                   f'  bucket = aws_s3_bucket.b{n}.id\n\n  rule {{\n    apply_server_side_encryption_by_default {{\n'
                   f'      sse_algorithm     = {algo}{key}\n    }}\n    bucket_key_enabled = true\n  }}\n}}\n')
    if ok or rng.random() < 0.3:
        out.append(f'resource "aws_s3_bucket_public_access_block" "b{n}" {{\n  bucket                  = aws_s3_bucket.b{n}.id\n'
                   f'  block_public_acls       = true\n  block_public_policy     = true\n'
                   f'  ignore_public_acls      = true\n  restrict_public_buckets = {"true" if ok else "false"}\n}}\n')
    if ok:
        out.append(f'resource "aws_s3_bucket_logging" "b{n}" {{\n  bucket        = aws_s3_bucket.b{n}.id\n'
                   f'  target_bucket = module.access_logs.bucket_id\n  target_prefix = "{kind}-{n}/"\n}}\n')
        out.append(f'resource "aws_s3_bucket_versioning" "b{n}" {{\n  bucket = aws_s3_bucket.b{n}.id\n'
                   f'  versioning_configuration {{\n    status = "Enabled"\n  }}\n}}\n')
    if kind in ("logs", "trail"):
        days = 400 if ok else 30
        out.append(f'resource "aws_s3_bucket_lifecycle_configuration" "b{n}" {{\n  bucket = aws_s3_bucket.b{n}.id\n\n'
                   f'  rule {{\n    id     = "expire"\n    status = "Enabled"\n\n    filter {{\n      prefix = ""\n    }}\n\n'
                   f'    transition {{\n      days          = 90\n      storage_class = "GLACIER"\n    }}\n\n'
                   f'    expiration {{\n      days = {days}\n    }}\n  }}\n}}\n')
        if not ok and rng.random() < 0.5:
            out.append(f'resource "aws_s3_bucket_acl" "b{n}" {{\n  bucket = aws_s3_bucket.b{n}.id\n  acl    = "public-read"\n}}\n')
    return "\n".join(out)


def _log_group(n: int, rng: random.Random, ok: bool) -> str:
    retention = "var.retention_days" if ok else rng.choice(["7", "14", "0"])
    kms = "\n  kms_key_id        = aws_kms_key.main.arn" if ok else ""
    return (f'resource "aws_cloudwatch_log_group" "lg{n}" {{\n  name              = "/app/${{var.environment}}/svc-{n}"\n'
            f'  retention_in_days = {retention}{kms}\n{_tags(n, "logging")}}}\n')


def _cloudtrail(n: int, rng: random.Random, ok: bool) -> str:
    flag = "true" if ok else "false"
    kms = "\n  kms_key_id                    = aws_kms_key.main.arn" if ok else ""
    return (f'resource "aws_cloudtrail" "t{n}" {{\n  name                          = "trail-{n}"\n'
            f'  s3_bucket_name                = module.trail_logs.bucket_id\n'
            f'  include_global_service_events = true\n  is_multi_region_trail         = {flag}\n'
            f'  enable_log_file_validation    = {flag}{kms}\n\n  event_selector {{\n    read_write_type           = "All"\n'
            f'    include_management_events = true\n\n    data_resource {{\n      type   = "AWS::S3::Object"\n'
            f'      values = ["arn:aws:s3"]\n    }}\n  }}\n{_tags(n, "audit")}}}\n')


def _rds(n: int, rng: random.Random, ok: bool) -> str:
    password = "var.db_password" if ok or rng.random() < 0.5 else '"Sup3rS3cretPassw0rd!"'
    return (f'resource "aws_db_instance" "db{n}" {{\n  identifier              = "${{var.environment}}-db-{n}"\n'
            f'  engine                  = "postgres"\n  engine_version          = "15.4"\n'
            f'  instance_class          = "db.t3.medium"\n  allocated_storage       = {20 + n % 200}\n'
            f'  storage_encrypted       = {"true" if ok else "false"}\n'
            + ('  kms_key_id              = aws_kms_key.main.arn\n' if ok else '')
            + f'  username                = "app"\n  password                = {password}\n'
            f'  backup_retention_period = 7\n  skip_final_snapshot     = true\n'
            f'  vpc_security_group_ids  = [aws_security_group.sg{n}.id]\n{_tags(n, "database")}}}\n\n'
            + _security_group(n, rng, True))


def _ebs(n: int, rng: random.Random, ok: bool) -> str:
    enc = "  encrypted         = true\n  kms_key_id        = aws_kms_key.main.arn\n" if ok else (
        "  encrypted         = false\n" if rng.random() < 0.5 else "")
    return (f'resource "aws_ebs_volume" "v{n}" {{\n  availability_zone = "${{var.region}}a"\n'
            f'  size              = {8 + n % 500}\n  type              = "gp3"\n{enc}{_tags(n, "compute")}}}\n')


def _sqs(n: int, rng: random.Random, ok: bool) -> str:
    if ok:
        enc = rng.choice(["  sqs_managed_sse_enabled = true\n", "  kms_master_key_id = aws_kms_key.main.id\n"])
    else:
        enc = "  sqs_managed_sse_enabled = false\n"
    if rng.random() < 0.3:
        return (f'resource "aws_sqs_queue" "q{n}" {{\n  for_each                   = toset(var.queue_names)\n'
                f'  name                       = "${{var.environment}}-${{each.key}}-{n}"\n'
                f'  visibility_timeout_seconds = 60\n{enc}{_tags(n, "queues")}}}\n')
    return (f'resource "aws_sqs_queue" "q{n}" {{\n  name                       = "${{var.environment}}-queue-{n}"\n'
            f'  visibility_timeout_seconds = 30\n  message_retention_seconds  = 345600\n{enc}{_tags(n, "queues")}}}\n')


def _lb(n: int, rng: random.Random, ok: bool) -> str:
    policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" if ok else rng.choice(
        ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-1-2017-01"])
    logs = (f'\n  access_logs {{\n    bucket  = module.access_logs.bucket_id\n    prefix  = "lb-{n}"\n'
            f'    enabled = true\n  }}\n') if ok else ""
    return (f'resource "aws_lb" "lb{n}" {{\n  name               = "lb-{n}"\n  internal           = false\n'
            f'  load_balancer_type = "application"\n  subnets            = var.public_subnet_ids\n'
            f'  security_groups    = [aws_security_group.sg{n}.id]{logs}\n}}\n\n'
            f'resource "aws_lb_listener" "https{n}" {{\n  load_balancer_arn = aws_lb.lb{n}.arn\n  port              = 443\n'
            f'  protocol          = "HTTPS"\n  ssl_policy        = "{policy}"\n'
            f'  certificate_arn   = var.certificate_arn\n\n  default_action {{\n    type             = "forward"\n'
            f'    target_group_arn = aws_lb_target_group.tg{n}.arn\n  }}\n}}\n\n'
            f'resource "aws_lb_target_group" "tg{n}" {{\n  name     = "tg-{n}"\n  port     = 8080\n'
            f'  protocol = "HTTP"\n  vpc_id   = var.vpc_id\n\n  health_check {{\n    path    = "/healthz"\n'
            f'    matcher = "200"\n  }}\n}}\n\n' + _security_group(n, rng, True))


def _security_group(n: int, rng: random.Random, ok: bool) -> str:
    cidr = '"10.0.0.0/8"' if ok else '"0.0.0.0/0"'
    nodeports = (f'\n  ingress {{\n    description = "node ports"\n    from_port   = 30000\n    to_port     = 32767\n'
                 f'    protocol    = "tcp"\n    cidr_blocks = [{cidr}]\n  }}\n') if (not ok or rng.random() < 0.3) else ""
    return (f'resource "aws_security_group" "sg{n}" {{\n  name        = "sg-{n}"\n  description = "service {n}"\n'
            f'  vpc_id      = var.vpc_id\n\n  ingress {{\n    description = "https"\n    from_port   = 443\n'
            f'    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }}\n{nodeports}\n'
            f'  egress {{\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n'
            f'    cidr_blocks = ["0.0.0.0/0"]\n  }}\n{_tags(n, "network")}}}\n')


def _sg_only(n: int, rng: random.Random, ok: bool) -> str:
    return _security_group(n, rng, ok)


def _iam(n: int, rng: random.Random, ok: bool) -> str:
    if ok:
        actions = '["logs:CreateLogStream", "logs:PutLogEvents"]'
        resource = f'"arn:aws:logs:${{var.region}}:${{var.account_id}}:log-group:/app/{n}:*"'
    else:
        actions = rng.choice(['["logs:DescribeLogGroups", "logs:DeleteLogGroup"]', '"logs:*"',
                              '["logs:PutRetentionPolicy", "logs:DeleteLogStream"]'])
        resource = '"*"'
    return (f'resource "aws_iam_role" "r{n}" {{\n  name = "role-{n}"\n  assume_role_policy = jsonencode({{\n'
            f'    Version = "2012-10-17"\n    Statement = [{{\n      Effect    = "Allow"\n'
            f'      Principal = {{ Service = "lambda.amazonaws.com" }}\n      Action    = "sts:AssumeRole"\n    }}]\n  }})\n}}\n\n'
            f'resource "aws_iam_policy" "p{n}" {{\n  name = "policy-{n}"\n  policy = jsonencode({{\n'
            f'    Version = "2012-10-17"\n    Statement = [\n      {{\n        Sid      = "Logs{n}"\n'
            f'        Effect   = "Allow"\n        Action   = {actions}\n        Resource = {resource}\n      }},\n'
            f'      {{\n        Effect   = "Allow"\n        Action   = ["s3:GetObject"]\n'
            f'        Resource = ["arn:aws:s3:::${{var.environment}}-data-{n}/*"]\n      }}\n    ]\n  }})\n}}\n\n'
            f'resource "aws_iam_role_policy_attachment" "a{n}" {{\n  role       = aws_iam_role.r{n}.name\n'
            f'  policy_arn = aws_iam_policy.p{n}.arn\n}}\n')


def _sns(n: int, rng: random.Random, ok: bool) -> str:
    kms = "\n  kms_master_key_id = aws_kms_key.main.id" if ok else ""
    return f'resource "aws_sns_topic" "s{n}" {{\n  name = "topic-{n}"{kms}\n{_tags(n, "events")}}}\n'


def _ssm(n: int, rng: random.Random, ok: bool) -> str:
    typ = "SecureString" if ok else "String"
    return (f'resource "aws_ssm_parameter" "prm{n}" {{\n  name  = "/${{var.environment}}/svc-{n}/db_password"\n'
            f'  type  = "{typ}"\n  value = var.db_password\n}}\n')


def _lambda(n: int, rng: random.Random, ok: bool) -> str:
    secret = "var.api_token" if ok else '"ghp_EXAMPLE0EXAMPLE0EXAMPLE0EXAMPLE0EXAM"'
    return (f'resource "aws_lambda_function" "fn{n}" {{\n  function_name = "fn-{n}"\n'
            f'  role          = aws_iam_role.r{n}.arn\n  handler       = "main.handler"\n  runtime       = "python3.12"\n'
            f'  filename      = "build/fn.zip"\n  timeout       = 30\n\n  environment {{\n    variables = {{\n'
            f'      LOG_LEVEL = "info"\n      API_TOKEN = {secret}\n    }}\n  }}\n}}\n\n'
            + _iam(n, rng, True))


def _kinesis(n: int, rng: random.Random, ok: bool) -> str:
    enc = '  encryption_type = "KMS"\n  kms_key_id      = aws_kms_key.main.id\n' if ok else ""
    return (f'resource "aws_kinesis_stream" "k{n}" {{\n  name             = "stream-{n}"\n'
            f'  shard_count      = 1\n  retention_period = 48\n{enc}}}\n')


def _flow_log(n: int, rng: random.Random, ok: bool) -> str:
    vpc = (f'resource "aws_vpc" "vpc{n}" {{\n  cidr_block           = "10.{n % 250}.0.0/16"\n'
           f'  enable_dns_hostnames = true\n{_tags(n, "network")}}}\n')
    if not ok:
        return vpc
    return vpc + (f'\nresource "aws_flow_log" "fl{n}" {{\n  vpc_id          = aws_vpc.vpc{n}.id\n  traffic_type    = "ALL"\n'
                  f'  log_destination = aws_cloudwatch_log_group.lg{n}.arn\n  iam_role_arn    = var.flow_log_role_arn\n}}\n\n'
                  + _log_group(n, rng, True))


def _efs(n: int, rng: random.Random, ok: bool) -> str:
    return (f'resource "aws_efs_file_system" "fs{n}" {{\n  creation_token = "fs-{n}"\n'
            f'  encrypted      = {"true" if ok else "false"}\n{_tags(n, "storage")}}}\n')


def _count_bucket(n: int, rng: random.Random, ok: bool) -> str:
    return (f'resource "aws_s3_bucket" "opt{n}" {{\n  count  = var.create_optional ? 1 : 0\n'
            f'  bucket = "${{var.environment}}-optional-{n}"\n}}\n\n'
            f'resource "aws_s3_bucket_server_side_encryption_configuration" "opt{n}" {{\n'
            f'  count  = var.create_optional ? 1 : 0\n  bucket = aws_s3_bucket.opt{n}[0].id\n\n'
            f'  rule {{\n    apply_server_side_encryption_by_default {{\n      sse_algorithm = "AES256"\n    }}\n  }}\n}}\n')


TEMPLATES: list[Callable[[int, random.Random, bool], str]] = [
    _s3_bucket, _s3_bucket, _log_group, _log_group, _cloudtrail, _rds, _ebs, _sqs, _lb, _sg_only, _iam,
    _sns, _ssm, _lambda, _kinesis, _flow_log, _efs, _count_bucket,
]
CONTENT_NAMES = ["storage", "logging", "network", "database", "queues", "iam", "compute", "security",
                 "monitoring", "events", "audit", "data", "edge", "streams", "secrets"]

STACK_VARIABLES = '''variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type        = string
  description = "Deployment environment name."
}

variable "account_id" {
  type    = string
  default = "123456789012"
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "retention_days" {
  type    = number
  default = 365
}

variable "db_password" {
  type      = string
  sensitive = true
}

variable "api_token" {
  type      = string
  sensitive = true
  default   = null
}

variable "queue_names" {
  type    = list(string)
  default = ["orders", "payments", "emails"]
}

variable "create_optional" {
  type    = bool
  default = true
}

variable "vpc_id" {
  type    = string
  default = "vpc-0123456789abcdef0"
}

variable "public_subnet_ids" {
  type    = list(string)
  default = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
}

variable "certificate_arn" {
  type    = string
  default = "arn:aws:acm:eu-west-1:123456789012:certificate/0000"
}

variable "flow_log_role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/flow-logs"
}
'''

MODULE_MAIN = '''resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = var.tags
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "retain"
    status = "Enabled"

    filter {
      prefix = ""
    }

    expiration {
      days = var.retention_days
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  count         = var.log_target == null ? 0 : 1
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.log_target
  target_prefix = "${var.name}/"
}
'''

MODULE_VARIABLES = '''variable "name" {
  type = string
}

variable "kms_key_arn" {
  type    = string
  default = null
}

variable "log_target" {
  type    = string
  default = null
}

variable "retention_days" {
  type    = number
  default = 400
}

variable "tags" {
  type    = map(string)
  default = {}
}
'''

MODULE_OUTPUTS = '''output "bucket_id" {
  value = aws_s3_bucket.this.id
}

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}
'''


def _stack_main(stack: int, module_dir: str) -> str:
    return f'''terraform {{
  required_version = ">= 1.5"

  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
  }}
}}

provider "aws" {{
  region = var.region
}}

locals {{
  stack = "stack-{stack:04d}"
}}

resource "aws_kms_key" "main" {{
  description             = "stack {stack} key"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}}

module "access_logs" {{
  source         = "{module_dir}"
  name           = "${{var.environment}}-{stack:04d}-access-logs"
  retention_days = var.retention_days
}}

module "trail_logs" {{
  source      = "{module_dir}"
  name        = "${{var.environment}}-{stack:04d}-trail"
  kms_key_arn = aws_kms_key.main.arn
  log_target  = module.access_logs.bucket_id
}}
'''


def _stack_outputs(stack: int) -> str:
    return '''output "kms_key_arn" {
  value = aws_kms_key.main.arn
}

output "access_log_bucket" {
  value = module.access_logs.bucket_id
}

output "trail_bucket" {
  value = module.trail_logs.bucket_arn
}

output "stack" {
  value = local.stack
}
'''


def _tfvars(stack: int) -> str:
    env = ["prod", "staging", "dev"][stack % 3]
    return (f'environment    = "{env}"\nretention_days = {400 if stack % 4 else 90}\ndb_password    = "from-ci-secret-store"\n'
            f'tags = {{\n  Owner   = "team-{stack % 12}"\n  Project = "bench"\n}}\n')


class _Filler:
    """Appends template resources to a file until it reaches a byte target."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.n = 0

    def fill(self, target: int, header: str = "") -> str:
        parts = [header] if header else []
        size = len(header)
        while size < target:
            self.n += 1
            tpl = TEMPLATES[self.rng.randrange(len(TEMPLATES))]
            ok = self.rng.random() >= BAD_RATE
            block = tpl(self.n, self.rng, ok)
            if size + len(block) // 2 > target and len(parts) > 1:
                break  # closer to the target without this block
            parts.append(block)
            size += len(block) + 1
        return "\n".join(parts)


def generate_terraform(root: Path, n_files: int, total_bytes: int, seed: int = 7) -> dict[str, int]:
    """Write ``n_files`` .tf files of about ``total_bytes`` in all under ``root``; return counts.

    One file: a flat root module (variables and resources in main.tf). More: local modules
    (``modules/log_bucket_NN``: main, variables, outputs) and stacks (``stacks/stack-NNNN``:
    main.tf with provider, KMS key and module calls, variables.tf, outputs.tf,
    terraform.tfvars, and resource files).
    """
    rng = random.Random(seed)
    filler = _Filler(rng)
    root.mkdir(parents=True, exist_ok=True)
    if n_files == 1:
        header = STACK_VARIABLES + '\nresource "aws_kms_key" "main" {\n  enable_key_rotation = true\n}\n'
        text = filler.fill(total_bytes, header)
        text = text.replace("module.access_logs.bucket_id", '"acme-access-logs"').replace(
            "module.trail_logs.bucket_id", '"acme-trail"')
        (root / "main.tf").write_text(text)
        return {"tf_files": 1, "tf_bytes": len(text.encode()), "resources_generated": filler.n}

    n_modules = max(1, round(n_files / 60))
    remaining = n_files - 3 * n_modules
    n_stacks = max(1, remaining // 10)
    per_stack = [remaining // n_stacks + (1 if i < remaining % n_stacks else 0) for i in range(n_stacks)]
    written = 0
    structural: list[tuple[Path, str]] = []
    content: list[Path] = []
    for m in range(n_modules):
        d = root / "modules" / f"log_bucket_{m:02d}"
        structural += [(d / "main.tf", MODULE_MAIN), (d / "variables.tf", MODULE_VARIABLES),
                       (d / "outputs.tf", MODULE_OUTPUTS)]
    for s, count in enumerate(per_stack):
        d = root / "stacks" / f"stack-{s:04d}"
        structural += [(d / "main.tf", _stack_main(s, f"../../modules/log_bucket_{s % n_modules:02d}")),
                       (d / "variables.tf", STACK_VARIABLES), (d / "outputs.tf", _stack_outputs(s))]
        (d).mkdir(parents=True, exist_ok=True)
        (d / "terraform.tfvars").write_text(_tfvars(s))
        for c in range(max(0, count - 3)):
            name = CONTENT_NAMES[c] if c < len(CONTENT_NAMES) else f"extra_{c:02d}"
            content.append(d / f"{name}.tf")
    for path, text in structural:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written += len(text.encode())
    per_file = max(400, (total_bytes - written) // max(1, len(content)))
    for path in content:
        text = filler.fill(per_file, f"# {path.parent.name}/{path.name}: generated by bench/corpus.py\n")
        path.write_text(text)
        written += len(text.encode())
    return {"tf_files": len(structural) + len(content), "tf_bytes": written, "resources_generated": filler.n}


# ---------------------------------------------------------------------------
# Kubernetes
# ---------------------------------------------------------------------------

def _deployment(app: str, ns: str, rng: random.Random, ok: bool) -> str:
    env_secret = ("        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n"
                  f"              name: {app}-db\n              key: password\n") if ok else (
        "        - name: DB_PASSWORD\n          value: \"Pr0dPassw0rdExample!\"\n")
    host_net = "" if ok or rng.random() < 0.7 else "      hostNetwork: true\n"
    host_port = "" if ok or rng.random() < 0.7 else "          hostPort: 8080\n"
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {app}
    app.kubernetes.io/part-of: bench
spec:
  replicas: {1 + rng.randrange(5)}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
    spec:
{host_net}      serviceAccountName: {app}
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: app
        image: registry.example.com/{app}:1.{rng.randrange(40)}.{rng.randrange(10)}
        ports:
        - name: http
          containerPort: 8080
{host_port}        env:
        - name: LOG_LEVEL
          value: info
        - name: MODE
          value: production
{env_secret}        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
        readinessProbe:
          httpGet:
            path: /ready
            port: http
        livenessProbe:
          httpGet:
            path: /healthz
            port: http
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: ["ALL"]
"""


def _service(app: str, ns: str, rng: random.Random, ok: bool) -> str:
    typ = "ClusterIP" if ok else rng.choice(["NodePort", "NodePort", "LoadBalancer"])
    node_port = "\n    nodePort: 30080" if typ == "NodePort" and rng.random() < 0.5 else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {app}
spec:
  type: {typ}
  selector:
    app.kubernetes.io/name: {app}
  ports:
  - name: http
    port: 80
    targetPort: http{node_port}
"""


def _ingress(app: str, ns: str, rng: random.Random, ok: bool) -> str:
    tls = f"  tls:\n  - hosts:\n    - {app}.example.com\n    secretName: {app}-tls\n" if ok else ""
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  namespace: {ns}
  annotations:
    nginx.ingress.kubernetes.io/ssl-redirect: "{"true" if ok else "false"}"
spec:
  ingressClassName: nginx
{tls}  rules:
  - host: {app}.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: {app}
            port:
              name: http
"""


def _configmap(app: str, ns: str, rng: random.Random, ok: bool) -> str:
    bad = "" if ok else "  API_KEY: sk_live_EXAMPLE0EXAMPLE0EXAMPLE0\n"
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: {ns}
data:
  LOG_LEVEL: info
  DB_HOST: {app}-db.{ns}.svc.cluster.local
  FEATURE_FLAGS: "search,checkout,recommendations"
{bad}  app.properties: |
    server.port=8080
    cache.ttl={rng.randrange(30, 600)}
"""


def _rbac(app: str, ns: str, rng: random.Random, ok: bool) -> str:
    subject = (f"- kind: ServiceAccount\n  name: {app}\n  namespace: {ns}\n" if ok else
               "- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: system:authenticated\n")
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app}
  namespace: {ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {app}-logs
  namespace: {ns}
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {app}-logs
  namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {app}-logs
subjects:
{subject}"""


def _secret(app: str, ns: str, rng: random.Random, ok: bool) -> str:
    data = "" if ok else "data:\n  password: UHIwZFBhc3N3MHJkRXhhbXBsZSE=\n"
    return f"""apiVersion: v1
kind: Secret
metadata:
  name: {app}-db
  namespace: {ns}
type: Opaque
{data}"""


def _storageclass(i: int, ok: bool) -> str:
    return f"""apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: gp3-{i}
provisioner: ebs.csi.aws.com
parameters:
  type: gp3
  encrypted: "{"true" if ok else "false"}"
volumeBindingMode: WaitForFirstConsumer
"""


# Module-heavy Terraform, written the way registry modules are (terraform-aws-modules style):
# `create` switches through locals, count/for_each over maps of objects and filtered `for`
# expressions, try(), dynamic blocks, lookups with defaults, nested modules; examples call them
# with features toggled on and off, as module users do.

_MOD_BUCKET = """locals {
  create      = var.create && var.putin_khuylo
  attach_sse  = local.create && try(var.server_side_encryption_configuration.enabled, true)
  lifecycle   = { for r in var.lifecycle_rules : r.id => r if try(r.enabled, true) }
  grants      = flatten([for g in var.grants : [for p in try(g.permissions, []) : merge(g, { permission = p })]])
}

resource "aws_s3_bucket" "this" {
  count         = local.create ? 1 : 0
  bucket        = var.bucket
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { Module = "bucket" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count  = local.attach_sse ? 1 : 0
  bucket = aws_s3_bucket.this[0].id

  dynamic "rule" {
    for_each = try(flatten([var.server_side_encryption_configuration.rule]), [])
    content {
      bucket_key_enabled = try(rule.value.bucket_key_enabled, null)
      apply_server_side_encryption_by_default {
        sse_algorithm     = rule.value.sse_algorithm
        kms_master_key_id = try(rule.value.kms_master_key_id, null)
      }
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count                   = local.create && var.attach_public_policy ? 1 : 0
  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = var.block_public_acls
  block_public_policy     = var.block_public_policy
  ignore_public_acls      = var.ignore_public_acls
  restrict_public_buckets = var.restrict_public_buckets
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count  = local.create && length(local.lifecycle) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this[0].id

  dynamic "rule" {
    for_each = local.lifecycle
    content {
      id     = rule.key
      status = "Enabled"
      expiration {
        days = lookup(rule.value, "expiration_days", 365)
      }
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  count         = local.create && var.logging != null ? 1 : 0
  bucket        = aws_s3_bucket.this[0].id
  target_bucket = try(var.logging.target_bucket, "")
  target_prefix = try(var.logging.target_prefix, "log/")
}
"""

_MOD_BUCKET_VARS = """variable "create" {
  type    = bool
  default = true
}
variable "putin_khuylo" {
  type    = bool
  default = true
}
variable "bucket" {
  type    = string
  default = null
}
variable "force_destroy" {
  type    = bool
  default = false
}
variable "tags" {
  type    = map(string)
  default = {}
}
variable "server_side_encryption_configuration" {
  type    = any
  default = {}
}
variable "attach_public_policy" {
  type    = bool
  default = true
}
variable "block_public_acls" {
  type    = bool
  default = false
}
variable "block_public_policy" {
  type    = bool
  default = false
}
variable "ignore_public_acls" {
  type    = bool
  default = false
}
variable "restrict_public_buckets" {
  type    = bool
  default = false
}
variable "lifecycle_rules" {
  type    = any
  default = []
}
variable "grants" {
  type    = any
  default = []
}
variable "logging" {
  type    = any
  default = null
}
"""

_MOD_LOGS = """locals {
  groups = { for name, g in var.log_groups : name => g if var.create && try(g.enabled, true) }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = local.groups
  name              = "/${var.prefix}/${each.key}"
  retention_in_days = try(each.value.retention_in_days, var.default_retention)
  kms_key_id        = try(each.value.kms_key_id, var.kms_key_id)
  tags              = var.tags
}

module "archive" {
  source = "../bucket"
  create = var.create && var.archive
  bucket = "${var.prefix}-log-archive"
  server_side_encryption_configuration = {
    rule = { sse_algorithm = var.kms_key_id == null ? "AES256" : "aws:kms", kms_master_key_id = var.kms_key_id }
  }
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
  lifecycle_rules         = [{ id = "expire", expiration_days = var.archive_days }]
}

output "names" {
  value = [for g in aws_cloudwatch_log_group.this : g.name]
}
"""

_MOD_LOGS_VARS = """variable "create" {
  type    = bool
  default = true
}
variable "prefix" {
  type = string
}
variable "log_groups" {
  type    = any
  default = {}
}
variable "default_retention" {
  type    = number
  default = 365
}
variable "kms_key_id" {
  type    = string
  default = null
}
variable "archive" {
  type    = bool
  default = false
}
variable "archive_days" {
  type    = number
  default = 400
}
variable "tags" {
  type    = map(string)
  default = {}
}
"""

_MOD_DB = """locals {
  create        = var.create && var.engine != null
  is_serverless = var.engine_mode == "serverless"
  port          = coalesce(var.port, var.engine == "aurora-postgresql" ? 5432 : 3306)
}

resource "aws_rds_cluster" "this" {
  count                       = local.create ? 1 : 0
  cluster_identifier          = var.name
  engine                      = var.engine
  engine_mode                 = var.engine_mode
  port                        = local.port
  storage_encrypted           = local.is_serverless ? null : var.storage_encrypted
  kms_key_id                  = var.kms_key_id
  manage_master_user_password = var.manage_master_user_password ? true : null
  master_username             = var.master_username
  master_password             = var.manage_master_user_password ? null : var.master_password
  enabled_cloudwatch_logs_exports = compact(var.log_exports)
}

module "logs" {
  source     = "../logs"
  create     = local.create && length(var.log_exports) > 0
  prefix     = "aws/rds/cluster/${var.name}"
  log_groups = { for e in var.log_exports : e => { retention_in_days = var.log_retention } }
  kms_key_id = var.kms_key_id
}
"""

_MOD_DB_VARS = """variable "create" {
  type    = bool
  default = true
}
variable "name" {
  type = string
}
variable "engine" {
  type    = string
  default = "aurora-postgresql"
}
variable "engine_mode" {
  type    = string
  default = "provisioned"
}
variable "port" {
  type    = number
  default = null
}
variable "storage_encrypted" {
  type    = bool
  default = true
}
variable "kms_key_id" {
  type    = string
  default = null
}
variable "manage_master_user_password" {
  type    = bool
  default = true
}
variable "master_username" {
  type    = string
  default = "root"
}
variable "master_password" {
  type    = string
  default = null
}
variable "log_exports" {
  type    = list(string)
  default = []
}
variable "log_retention" {
  type    = number
  default = 7
}
"""


def _modules_example(i: int, rng: random.Random) -> str:
    ok = rng.random() >= BAD_RATE
    env = rng.choice(["dev", "stage", "prod"])
    kms = "aws_kms_key.this.arn" if ok else "null"
    groups = ", ".join(f'{name} = {{ retention_in_days = {400 if ok else rng.choice([7, 30])}'
                       f'{", enabled = false" if rng.random() < 0.2 else ""} }}'
                       for name in rng.sample(["app", "audit", "access", "worker", "cron"], rng.randint(1, 4)))
    exports = rng.sample(["postgresql", "audit", "error"], rng.randint(0, 2))
    sse = ('{ rule = { sse_algorithm = "aws:kms", kms_master_key_id = aws_kms_key.this.arn } }' if ok
           else "{ enabled = false }")
    return f"""provider "aws" {{
  region = "eu-west-1"
}}

locals {{
  name        = "ex-{i}-{env}"
  enable_db   = {str(rng.random() < 0.7).lower()}
  enable_logs = var.features.logs
}}

variable "features" {{
  type    = object({{ logs = bool, archive = bool }})
  default = {{ logs = {str(rng.random() < 0.8).lower()}, archive = {str(ok).lower()} }}
}}

resource "aws_kms_key" "this" {{
  enable_key_rotation = true
}}

module "bucket" {{
  source = "../../modules/bucket"
  create = {str(rng.random() < 0.85).lower()}
  bucket = "${{local.name}}-data"
  server_side_encryption_configuration = {sse}
  block_public_acls       = {str(ok).lower()}
  block_public_policy     = {str(ok).lower()}
  ignore_public_acls      = {str(ok).lower()}
  restrict_public_buckets = {str(ok).lower()}
  lifecycle_rules         = [{{ id = "logs", expiration_days = {400 if ok else 30} }}, {{ id = "tmp", enabled = false }}]
}}

module "logs" {{
  source     = "../../modules/logs"
  create     = local.enable_logs
  prefix     = local.name
  log_groups = {{ {groups} }}
  kms_key_id = {kms}
  archive    = var.features.archive
}}

module "db" {{
  source            = "../../modules/db"
  count             = local.enable_db ? 1 : 0
  name              = "${{local.name}}-db"
  storage_encrypted = {str(ok).lower()}
  kms_key_id        = {kms}
  log_exports       = {json_list(exports)}
  log_retention     = {400 if ok else 14}
  manage_master_user_password = {str(ok or rng.random() < 0.5).lower()}
}}
"""


def json_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{x}"' for x in items) + "]"


def generate_modules(root: Path, n_roots: int, seed: int = 17) -> dict[str, int]:
    """Three registry-style local modules (``modules/bucket``, ``modules/logs`` calling
    ``bucket``, ``modules/db`` calling ``logs``) and ``n_roots`` example roots
    (``examples/ex-NNNN``) calling them with features toggled; return counts."""
    rng = random.Random(seed)
    files = {"modules/bucket/main.tf": _MOD_BUCKET, "modules/bucket/variables.tf": _MOD_BUCKET_VARS,
             "modules/logs/main.tf": _MOD_LOGS, "modules/logs/variables.tf": _MOD_LOGS_VARS,
             "modules/db/main.tf": _MOD_DB, "modules/db/variables.tf": _MOD_DB_VARS}
    for i in range(n_roots):
        files[f"examples/ex-{i:04d}/main.tf"] = _modules_example(i, rng)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {"tf_files": len(files), "tf_bytes": sum(len(t.encode()) for t in files.values()), "roots": n_roots}


def generate_kubernetes(root: Path, n_docs: int, seed: int = 11) -> dict[str, int]:
    """Write about ``n_docs`` Kubernetes documents under ``root`` as multi-document app files
    (Deployment, Service, Ingress, ConfigMap, ServiceAccount/Role/RoleBinding, Secret) in
    namespace folders, plus a few single-document StorageClass files."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    docs = files = size = 0
    app = 0
    while docs < n_docs:
        ns = f"team-{app % 40:02d}"
        name = f"svc-{app:05d}"
        ok = rng.random() >= BAD_RATE
        parts = [_deployment(name, ns, rng, ok or rng.random() < 0.5), _service(name, ns, rng, ok or rng.random() < 0.5)]
        if rng.random() < 0.6:
            parts.append(_ingress(name, ns, rng, ok))
        parts.append(_configmap(name, ns, rng, ok or rng.random() < 0.5))
        if rng.random() < 0.5:
            parts.extend(_rbac(name, ns, rng, ok or rng.random() < 0.5).split("---\n"))
        if rng.random() < 0.3:
            parts.append(_secret(name, ns, rng, ok))
        parts = parts[: max(1, n_docs - docs)]
        text = "---\n".join(parts)
        d = root / ns
        d.mkdir(exist_ok=True)
        (d / f"{name}.yaml").write_text(text)
        docs += len(parts)
        files += 1
        size += len(text.encode())
        app += 1
        if app % 200 == 0 and docs < n_docs:
            text = _storageclass(app, rng.random() >= BAD_RATE)
            (root / f"storageclass-{app}.yaml").write_text(text)
            docs += 1
            files += 1
            size += len(text.encode())
    return {"k8s_files": files, "k8s_docs": docs, "k8s_bytes": size}


# ---------------------------------------------------------------------------
# Gateway configs (only used when soc2iac has a gateway parser registered)
# ---------------------------------------------------------------------------

def _kong_declarative(i: int, rng: random.Random, ok: bool) -> str:
    lines = ['_format_version: "3.0"', "_transform: true", "services:"]
    for j in range(6):
        auth = ok or rng.random() < 0.5
        lines += [f"- name: svc-{i}-{j}", f"  url: https://svc-{j}.internal:8443", "  routes:",
                  f"  - name: route-{i}-{j}", "    paths:", f"    - /api/v1/{j}",
                  "    protocols: [https]" if ok else "    protocols: [http, https]", "    plugins:"]
        if auth:
            lines += ["    - name: key-auth", "      config:", "        key_names: [apikey]"]
        lines += ["    - name: rate-limiting", "      config:", "        minute: 120", "        policy: local",
                  f"        fault_tolerant: {'false' if ok else 'true'}"]
        if ok:
            lines += ["    - name: file-log", "      config:", "        path: /dev/stdout"]
        if rng.random() < 0.3:
            lines += ["    - name: cors", "      config:", "        origins:",
                      '        - "*"' if not ok else "        - https://app.example.com"]
    lines += ["consumers:", f"- username: client-{i}", "  keyauth_credentials:",
              "  - key: '{vault://env/client-key}'" if ok else f"  - key: plain-text-key-{i}-EXAMPLE"]
    return "\n".join(lines) + "\n"


def generate_gateways(root: Path, n: int = 4, seed: int = 13) -> dict[str, int]:
    """A few gateway configs, about half compliant: Kong declarative (kong.yml) and kong.conf,
    NGINX, Envoy bootstrap and Traefik TOML. bench/run.py keeps only the files soc2iac claims."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    files = 0
    for i in range(n):
        ok = rng.random() >= 0.5
        d = root / f"gw-{i}"
        d.mkdir(exist_ok=True)
        (d / "kong.yml").write_text(_kong_declarative(i, rng, ok))
        (d / "kong.conf").write_text(
            f"proxy_listen = 0.0.0.0:8443 ssl\nadmin_listen = {'127.0.0.1:8444 ssl' if ok else '0.0.0.0:8001'}\n"
            f"ssl_protocols = {'TLSv1.2 TLSv1.3' if ok else 'TLSv1.1 TLSv1.2 TLSv1.3'}\n"
            "log_level = notice\nproxy_access_log = /dev/stdout\n")
        (d / "nginx.conf").write_text(f"""events {{}}
http {{
  limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;
  server {{
    listen 443 ssl;
    server_name gw-{i}.example.com;
    ssl_certificate /etc/nginx/tls.crt;
    ssl_certificate_key /etc/nginx/tls.key;
    ssl_protocols {"TLSv1.2 TLSv1.3" if ok else "TLSv1 TLSv1.1 TLSv1.2"};
    ssl_ciphers {"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256" if ok else "HIGH:!aNULL:RC4"};
    access_log /var/log/nginx/access.log;
    location / {{
      {"limit_req zone=api burst=20;" if ok else ""}
      proxy_pass http://backend:8080;
    }}
  }}
}}
""")
        (d / "envoy.yaml").write_text(f"""static_resources:
  listeners:
  - name: https
    address:
      socket_address: {{ address: 0.0.0.0, port_value: 443 }}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_params:
              tls_minimum_protocol_version: {"TLSv1_2" if ok else "TLSv1_0"}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          route_config:
            virtual_hosts:
            - name: backend
              domains: ["*"]
              routes:
              - match: {{ prefix: "/" }}
                route: {{ cluster: backend }}
  clusters:
  - name: backend
    type: STRICT_DNS
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: {{ address: backend.internal, port_value: 8080 }}
""")
        (d / "traefik.toml").write_text(f"""[entryPoints.websecure]
  address = ":443"

[tls.options.default]
  minVersion = "{"VersionTLS12" if ok else "VersionTLS10"}"
""")
        files += 5
    return {"gateway_files": files}
