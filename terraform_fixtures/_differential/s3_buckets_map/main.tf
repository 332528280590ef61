# Resources keyed by the same set, referring to each other with [each.key].
variable "buckets" {
  type = map(object({
    encrypt = bool
    kms     = optional(bool, false)
  }))
  default = {
    "acme-invoices" = { encrypt = true, kms = true }
    "acme-exports"  = { encrypt = true }
    "acme-scratch"  = { encrypt = false }
  }
}

resource "aws_kms_key" "s3" {
  description = "buckets"
}

resource "aws_s3_bucket" "this" {
  for_each = var.buckets

  bucket        = each.key
  force_destroy = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = { for name, b in var.buckets : name => b if b.encrypt }

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = each.value.kms ? "aws:kms" : "AES256"
      kms_master_key_id = each.value.kms ? aws_kms_key.s3.arn : null
    }
  }
}

resource "aws_s3_bucket" "single" {
  count = 1

  bucket = "acme-single"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "single" {
  bucket = aws_s3_bucket.single[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

module "logs_bucket" {
  source = "../modules/bucket"

  bucket = "acme-module-logs"
  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "aws:kms"
      }
    }
  }
}

module "plain_bucket" {
  source = "../modules/bucket"

  bucket     = "acme-module-plain"
  versioning = { enabled = true }
}

module "no_bucket" {
  source = "../modules/bucket"

  bucket        = "acme-module-none"
  create_bucket = false
}
