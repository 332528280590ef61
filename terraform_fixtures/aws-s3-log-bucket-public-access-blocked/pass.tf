resource "aws_s3_bucket" "trail" {
  bucket = "acme-org-cloudtrail-logs"
}

resource "aws_s3_bucket_public_access_block" "trail" {
  bucket = aws_s3_bucket.trail.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_cloudtrail" "org" {
  name                          = "org-trail"
  s3_bucket_name                = aws_s3_bucket.trail.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
}

# Matched by bucket name rather than by reference.
resource "aws_s3_bucket" "alb_logs" {
  bucket = "acme-prod-alb-access-logs"
}

resource "aws_s3_bucket_public_access_block" "alb_logs" {
  bucket                  = "acme-prod-alb-access-logs"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  access_logs {
    bucket  = "acme-prod-alb-access-logs"
    prefix  = "web"
    enabled = true
  }
}

# Not a log destination: out of scope for this policy.
resource "aws_s3_bucket" "assets" {
  bucket = "acme-static-assets"
}
