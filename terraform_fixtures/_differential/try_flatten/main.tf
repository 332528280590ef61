# try(), flatten(), length() deciding counts; a verdict must not rest on a resource that does not exist.
variable "buckets" {
  type    = list(string)
  default = ["alpha", "beta"]
}

variable "extra" {
  type    = any
  default = {}
}

locals {
  buckets      = try(flatten([var.buckets, var.extra.buckets]), var.buckets)
  rules        = try(flatten([for b in var.extra.rules : b]), [])
  many_buckets = length(local.buckets) > 5
}

resource "aws_s3_bucket" "main" {
  bucket = "acme-${local.buckets[0]}"
}

# length(local.buckets) > 5 is false: no encryption configuration exists, the bucket fails
resource "aws_s3_bucket_server_side_encryption_configuration" "main" {
  count = local.many_buckets ? 1 : 0

  bucket = aws_s3_bucket.main.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket" "other" {
  bucket = "acme-${element(local.buckets, 1)}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "other" {
  count = length(local.rules) == 0 ? 1 : 0

  bucket = aws_s3_bucket.other.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = try(local.rules[0].algorithm, "aws:kms")
    }
  }
}

resource "aws_cloudwatch_log_group" "fallback" {
  name              = "/acme/fallback"
  retention_in_days = try(var.extra.retention, 90)
}

resource "aws_cloudwatch_log_group" "can" {
  count = can(var.extra.retention) ? 1 : 0

  name = "/acme/can"
}
