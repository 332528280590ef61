# CloudTrail bucket whose separate lifecycle configuration deletes logs after 90 days.
resource "aws_s3_bucket" "trail" { # soc2iac-expect: fail
  bucket = "acme-trail-logs"
}

resource "aws_s3_bucket_lifecycle_configuration" "trail" {
  bucket = aws_s3_bucket.trail.id

  rule {
    id     = "expire"
    status = "Enabled"

    filter {
      prefix = "AWSLogs/"
    }

    expiration {
      days = 90
    }
  }
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}

# ALB log bucket, provider v3 inline rule that expires logs after 30 days.
resource "aws_s3_bucket" "lb_logs" {
  bucket = "acme-lb-logs"

  lifecycle_rule {
    id      = "expire-logs"
    enabled = true

    expiration {
      days = 30 # soc2iac-expect: fail
    }
  }
}

resource "aws_alb" "api" {
  name    = "api"
  subnets = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  access_logs {
    bucket  = "acme-lb-logs"
    enabled = true
  }
}

# AWS Config delivery bucket with a fixed expiry date: every object is deleted that day.
resource "aws_s3_bucket" "config" {
  bucket = "acme-config-history"

  lifecycle_rule {
    id      = "sunset"
    enabled = true

    expiration {
      date = "2026-01-01" # soc2iac-expect: fail
    }
  }
}

resource "aws_config_delivery_channel" "main" {
  name           = "default"
  s3_bucket_name = aws_s3_bucket.config.bucket
}
