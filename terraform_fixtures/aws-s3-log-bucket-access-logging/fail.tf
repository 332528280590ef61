resource "aws_s3_bucket" "s3_access" {
  bucket = "acme-s3-access"
}

# CloudTrail bucket without server access logging.
resource "aws_s3_bucket" "trail" { # soc2iac-expect: fail
  bucket = "acme-trail"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}

# Flow-log bucket: the logging resource targets a different bucket, not this one.
resource "aws_s3_bucket" "flow_logs" { # soc2iac-expect: fail
  bucket = "acme-flow-logs"
}

resource "aws_flow_log" "vpc" {
  vpc_id               = "vpc-0123456789abcdef0"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-uploads"
}

resource "aws_s3_bucket_logging" "uploads" {
  bucket        = aws_s3_bucket.uploads.id
  target_bucket = aws_s3_bucket.s3_access.id
  target_prefix = "uploads/"
}

# AWS Config bucket, referenced by name only.
resource "aws_s3_bucket" "config" { # soc2iac-expect: fail
  bucket = "acme-config-history"
}

resource "aws_config_delivery_channel" "main" {
  name           = "default"
  s3_bucket_name = "acme-config-history"
}
