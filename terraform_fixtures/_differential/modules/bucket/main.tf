variable "bucket" {
  type = string
}

variable "create_bucket" {
  type    = bool
  default = true
}

variable "server_side_encryption_configuration" {
  type    = any
  default = {}
}

variable "versioning" {
  type    = map(string)
  default = {}
}

locals {
  create_bucket = var.create_bucket
  # shape of terraform-aws-modules/s3-bucket: encryption only when a rule is given
  sse_rules = try(flatten([var.server_side_encryption_configuration["rule"]]), [])
}

resource "aws_s3_bucket" "this" {
  count = local.create_bucket ? 1 : 0

  bucket        = var.bucket
  force_destroy = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = local.create_bucket && length(keys(var.server_side_encryption_configuration)) > 0 ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  dynamic "rule" {
    for_each = local.sse_rules

    content {
      bucket_key_enabled = try(rule.value.bucket_key_enabled, null)

      dynamic "apply_server_side_encryption_by_default" {
        for_each = length(keys(lookup(rule.value, "apply_server_side_encryption_by_default", {}))) == 0 ? [] : [lookup(rule.value, "apply_server_side_encryption_by_default", {})]

        content {
          sse_algorithm     = apply_server_side_encryption_by_default.value.sse_algorithm
          kms_master_key_id = lookup(apply_server_side_encryption_by_default.value, "kms_master_key_id", null)
        }
      }
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create_bucket && length(keys(var.versioning)) > 0 ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  versioning_configuration {
    status = try(tobool(var.versioning["enabled"]) ? "Enabled" : "Suspended", tostring(var.versioning["status"]), "Suspended")
  }
}

output "id" {
  value = try(aws_s3_bucket.this[0].id, "")
}
