data "aws_caller_identity" "current" {}

# CloudTrail bucket: logs move to Glacier after 90 days and are deleted after 7 years.
resource "aws_s3_bucket" "cloudtrail" {
  bucket = "acme-org-cloudtrail-logs"
}

resource "aws_s3_bucket_lifecycle_configuration" "cloudtrail" {
  bucket = aws_s3_bucket.cloudtrail.id

  rule {
    id     = "archive-then-expire"
    status = "Enabled"

    filter {}

    transition {
      days          = 90
      storage_class = "GLACIER"
    }

    expiration {
      days = 2555
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }

  rule {
    id     = "tidy-delete-markers"
    status = "Enabled"

    filter {}

    expiration {
      expired_object_delete_marker = true
    }
  }
}

resource "aws_cloudtrail" "org" {
  name                          = "org-trail"
  s3_bucket_name                = aws_s3_bucket.cloudtrail.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
}

# ALB access logs, provider v3 style inline lifecycle rule.
resource "aws_s3_bucket" "alb_logs" {
  bucket = "acme-prod-alb-logs"
  acl    = "log-delivery-write"

  lifecycle_rule {
    id      = "alb-logs"
    enabled = true
    prefix  = "alb/"

    transition {
      days          = 30
      storage_class = "STANDARD_IA"
    }

    expiration {
      days = 400
    }
  }

  # a disabled rule deletes nothing
  lifecycle_rule {
    id      = "old-cleanup"
    enabled = false

    expiration {
      days = 7
    }
  }
}

resource "aws_lb" "web" {
  name               = "web-prod"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  access_logs {
    bucket  = aws_s3_bucket.alb_logs.bucket
    prefix  = "alb"
    enabled = true
  }
}

# Flow-log bucket without any lifecycle configuration: objects are kept forever.
resource "aws_s3_bucket" "flow_logs" {
  bucket = "acme-prod-vpc-flow-logs"
}

resource "aws_flow_log" "main" {
  vpc_id               = "vpc-0123456789abcdef0"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn
}

# Not a log bucket: short expiry is out of scope for this policy.
resource "aws_s3_bucket" "tmp" {
  bucket = "acme-prod-tmp-uploads"

  lifecycle_rule {
    id      = "tmp"
    enabled = true

    expiration {
      days = 1
    }
  }
}
