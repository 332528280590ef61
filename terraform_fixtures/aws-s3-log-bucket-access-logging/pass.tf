# Final access-log bucket: it only receives S3 server access logs, so it is not in scope.
resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-s3-access-logs"
}

resource "aws_s3_bucket" "cloudtrail" {
  bucket = "acme-org-cloudtrail"
}

resource "aws_s3_bucket_logging" "cloudtrail" {
  bucket        = aws_s3_bucket.cloudtrail.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "cloudtrail/"
}

resource "aws_cloudtrail" "org" {
  name                       = "org-trail"
  s3_bucket_name             = aws_s3_bucket.cloudtrail.id
  is_multi_region_trail      = true
  enable_log_file_validation = true
}

# Provider v3 style: the ALB log bucket logs its access inline.
resource "aws_s3_bucket" "alb_logs" {
  bucket = "acme-alb-logs"
  acl    = "log-delivery-write"

  logging {
    target_bucket = aws_s3_bucket.access_logs.id
    target_prefix = "alb-logs/"
  }
}

resource "aws_lb" "web" {
  name    = "web"
  subnets = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  access_logs {
    bucket  = aws_s3_bucket.alb_logs.bucket
    enabled = true
  }
}
