# terraform-aws-modules/cloudfront style: logging_config is generated from a variable.
variable "cdn_logging_config" {
  type        = any
  description = "logging_config map passed by the caller; empty disables logging."
}

resource "aws_cloudfront_distribution" "this" {
  enabled = true
  comment = "module distribution"

  origin {
    domain_name = "acme-module.s3.eu-west-1.amazonaws.com"
    origin_id   = "s3-module"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3-module"
    viewer_protocol_policy = "redirect-to-https"
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  dynamic "logging_config" {
    for_each = length(keys(var.cdn_logging_config)) == 0 ? [] : [var.cdn_logging_config]

    content {
      bucket          = logging_config.value["bucket"]
      prefix          = lookup(logging_config.value, "prefix", null)
      include_cookies = lookup(logging_config.value, "include_cookies", null)
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
