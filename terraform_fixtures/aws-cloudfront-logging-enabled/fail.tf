# No logging_config and no standard logging v2 delivery: nothing is logged.
resource "aws_cloudfront_distribution" "assets" { # soc2iac-expect: fail
  enabled         = true
  is_ipv6_enabled = true
  comment         = "static assets"

  origin {
    domain_name = "acme-assets.s3.eu-west-1.amazonaws.com"
    origin_id   = "s3-assets"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3-assets"
    viewer_protocol_policy = "redirect-to-https"

    forwarded_values {
      query_string = false

      cookies {
        forward = "none"
      }
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

# A v2 delivery source exists, but no aws_cloudwatch_log_delivery sends it anywhere.
resource "aws_cloudfront_distribution" "downloads" { # soc2iac-expect: fail
  enabled = true
  comment = "downloads"

  origin {
    domain_name = "acme-downloads.s3.eu-west-1.amazonaws.com"
    origin_id   = "s3-downloads"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3-downloads"
    viewer_protocol_policy = "redirect-to-https"
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

resource "aws_cloudwatch_log_delivery_source" "downloads" {
  name         = "downloads-cdn-access-logs"
  log_type     = "ACCESS_LOGS"
  resource_arn = aws_cloudfront_distribution.downloads.arn
}
