# Provider v3 style: public-read canned ACL inline on the CloudTrail bucket.
resource "aws_s3_bucket" "trail_logs" {
  bucket = "acme-trail-logs"
  acl    = "public-read" # soc2iac-expect: fail
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "acme-trail-logs"
}

# ALB access log bucket made readable by every AWS account holder.
resource "aws_s3_bucket" "alb_logs" { # soc2iac-expect: fail
  bucket = "acme-alb-logs"
}

resource "aws_s3_bucket_acl" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  acl    = "authenticated-read"
}

resource "aws_lb" "api" {
  name               = "api"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  access_logs {
    bucket  = aws_s3_bucket.alb_logs.id
    enabled = true
  }
}

# AWS Config bucket whose ACL grants READ to the AllUsers group.
resource "aws_s3_bucket" "config_logs" { # soc2iac-expect: fail
  bucket = "acme-config-history"
}

resource "aws_s3_bucket_acl" "config_logs" {
  bucket = aws_s3_bucket.config_logs.id
  access_control_policy {
    grant {
      grantee {
        id   = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
        type = "CanonicalUser"
      }
      permission = "FULL_CONTROL"
    }
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }
    owner {
      id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    }
  }
}

resource "aws_config_delivery_channel" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.config_logs.bucket
}

# Provider v3 style inline grant to AuthenticatedUsers on a flow log bucket.
resource "aws_s3_bucket" "flow_logs" {
  bucket = "acme-flow-logs"
  grant {
    type        = "Group"
    uri         = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" # soc2iac-expect: fail
    permissions = ["READ"]
  }
}

resource "aws_flow_log" "vpc" {
  vpc_id               = "vpc-0abc1234"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn
}
