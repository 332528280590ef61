# The change: the public access block and the trail are switched off (count = 0), so the plan
# deletes both; the log group is only updated and keeps its control.
resource "aws_cloudwatch_log_group" "audit" {
  name              = "/acme/audit"
  retention_in_days = 30
}

resource "aws_s3_bucket" "logs" {
  bucket        = "acme-removed-control-logs"
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "logs" { # soc2iac-expect: fail
  count                   = 0
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_cloudtrail" "main" { # soc2iac-expect: fail
  count                      = 0
  name                       = "acme-removed"
  s3_bucket_name             = aws_s3_bucket.logs.id
  is_multi_region_trail      = true
  enable_log_file_validation = true
}
