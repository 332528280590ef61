# CloudTrail bucket with no ACL declared: S3's default canned ACL is private.
resource "aws_s3_bucket" "trail" {
  bucket = "acme-org-cloudtrail-logs"
}

resource "aws_cloudtrail" "org" {
  name                  = "org-trail"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = true
}

# S3 server access log target with the log-delivery-write canned ACL.
resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-s3-access-logs"
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_acl" "access_logs" {
  depends_on = [aws_s3_bucket_ownership_controls.access_logs]
  bucket     = aws_s3_bucket.access_logs.id
  acl        = "log-delivery-write"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-customer-uploads"
  logging {
    target_bucket = aws_s3_bucket.access_logs.id
    target_prefix = "uploads/"
  }
}

# CloudFront log bucket with explicit grants to the owner and the awslogsdelivery account.
data "aws_canonical_user_id" "current" {}

resource "aws_s3_bucket" "cdn_logs" {
  bucket = "acme-cdn-logs"
}

resource "aws_s3_bucket_acl" "cdn_logs" {
  bucket = aws_s3_bucket.cdn_logs.id
  access_control_policy {
    grant {
      grantee {
        id   = data.aws_canonical_user_id.current.id
        type = "CanonicalUser"
      }
      permission = "FULL_CONTROL"
    }
    grant {
      grantee {
        id   = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
        type = "CanonicalUser"
      }
      permission = "FULL_CONTROL"
    }
    owner {
      id = data.aws_canonical_user_id.current.id
    }
  }
}

resource "aws_cloudfront_distribution" "site" {
  enabled = true
  logging_config {
    bucket          = aws_s3_bucket.cdn_logs.bucket_domain_name
    include_cookies = false
    prefix          = "site/"
  }
}
