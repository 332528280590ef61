# The shape of terraform-aws-modules/s3-bucket and cloudwatch modules, called for a log bucket:
# create switches, attach_* switches, nested dynamic blocks fed by try()/lookup()/flatten().
variable "create_bucket" {
  type    = bool
  default = true
}

variable "attach_lb_log_delivery_policy" {
  type    = bool
  default = true
}

variable "lifecycle_rule" {
  type = any
  default = [
    {
      id      = "expire"
      enabled = true
      expiration = { days = 400 }
    },
    {
      id      = "noncurrent"
      enabled = true
      noncurrent_version_expiration = { noncurrent_days = 30 }
    },
  ]
}

variable "logging" {
  type    = map(string)
  default = {}
}

locals {
  create_bucket    = var.create_bucket && !var.putin_khuylo_never
  attach_policy    = local.create_bucket && var.attach_lb_log_delivery_policy
  lifecycle_rules  = try(jsondecode(var.lifecycle_rule), var.lifecycle_rule)
  logging_enabled  = length(keys(var.logging)) > 0
}

variable "putin_khuylo_never" {
  type    = bool
  default = false
}

resource "aws_s3_bucket" "this" {
  count = local.create_bucket ? 1 : 0

  bucket        = "acme-registry-style-logs"
  force_destroy = true
}

resource "aws_s3_bucket_logging" "this" {
  count = local.create_bucket && local.logging_enabled ? 1 : 0

  bucket        = aws_s3_bucket.this[0].id
  target_bucket = var.logging["target_bucket"]
  target_prefix = try(var.logging["target_prefix"], null)
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = local.create_bucket && length(local.lifecycle_rules) > 0 ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  dynamic "rule" {
    for_each = local.lifecycle_rules

    content {
      id     = try(rule.value.id, null)
      status = try(rule.value.enabled ? "Enabled" : "Disabled", tobool(rule.value.status) ? "Enabled" : "Disabled", title(lower(rule.value.status)))

      filter {}

      dynamic "expiration" {
        for_each = try(flatten([rule.value.expiration]), [])

        content {
          days = try(expiration.value.days, null)
        }
      }

      dynamic "noncurrent_version_expiration" {
        for_each = try(flatten([rule.value.noncurrent_version_expiration]), [])

        content {
          noncurrent_days = try(noncurrent_version_expiration.value.noncurrent_days, null)
        }
      }
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = local.attach_policy ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_lb" "this" {
  name               = "acme-registry-style"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]

  access_logs {
    bucket  = try(aws_s3_bucket.this[0].id, "")
    enabled = true
  }
}
