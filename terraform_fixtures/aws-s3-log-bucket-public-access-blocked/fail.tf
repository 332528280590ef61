# CloudTrail bucket with no public access block at all.
resource "aws_s3_bucket" "audit_trail" { # soc2iac-expect: fail
  bucket = "acme-audit-trail"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.audit_trail.id
}

# Server access log target whose block leaves public bucket policies allowed.
resource "aws_s3_bucket" "access_logs" { # soc2iac-expect: fail
  bucket = "acme-s3-access-logs"
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = false
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-customer-data"
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "data/"
}

# Flow log bucket whose block omits two settings (each defaults to false).
resource "aws_s3_bucket" "flow_logs" { # soc2iac-expect: fail
  bucket = "acme-vpc-flow-logs"
}

resource "aws_s3_bucket_public_access_block" "flow_logs" {
  bucket             = aws_s3_bucket.flow_logs.id
  block_public_acls  = true
  ignore_public_acls = true
}

resource "aws_flow_log" "vpc" {
  vpc_id               = "vpc-0abc1234"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn
}
