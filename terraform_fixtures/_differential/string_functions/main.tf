# String and collection functions deciding names, counts and settings.
variable "names" {
  type    = string
  default = " Orders, Events ,audit "
}

variable "tls_policies" {
  type    = list(string)
  default = ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS-1-1-2017-01"]
}

locals {
  names      = [for n in split(",", var.names) : lower(trimspace(n))]
  by_name    = zipmap(local.names, range(length(local.names)))
  audit_only = [for n in local.names : n if startswith(n, "aud")]
  suffixed   = compact([for n in local.names : endswith(n, "s") ? n : ""])
  all_long   = alltrue([for n in local.names : length(n) > 3])
  any_audit  = anytrue([for n in local.names : n == "audit"])
  first      = one(local.audit_only)
  settings   = jsondecode("{\"retention\": 545, \"kms\": false}")
  policy     = replace(format("%s", var.tls_policies[1]), "TLS-1-1", "TLS-1-2")
}

resource "aws_cloudwatch_log_group" "by_name" {
  for_each = local.by_name

  name              = format("/acme/%s/%d", each.key, each.value)
  retention_in_days = each.value == 0 ? local.settings.retention : 7
  kms_key_id        = local.settings.kms ? "alias/logs" : null
}

resource "aws_sqs_queue" "suffixed" {
  count = length(local.suffixed)

  name                    = upper(local.suffixed[count.index])
  sqs_managed_sse_enabled = !local.all_long
}

resource "aws_cloudwatch_log_group" "audit" {
  count = local.any_audit && local.first != null ? 1 : 0

  name              = "/acme/${local.first}"
  retention_in_days = coalesce(null, 400)
}

resource "aws_lb" "this" {
  name               = join("-", ["acme", "str"])
  load_balancer_type = "network"
  subnets            = slice(["subnet-0a1b2c3d", "subnet-1a2b3c4d", "subnet-9"], 0, 2)
}

resource "aws_lb_listener" "tls" {
  for_each = toset(distinct(concat(var.tls_policies, [local.policy])))

  load_balancer_arn = aws_lb.this.arn
  port              = 8000 + index(distinct(concat(var.tls_policies, [local.policy])), each.value)
  protocol          = "TLS"
  ssl_policy        = each.value
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "200"
    }
  }
}
