# Served on its *.cloudfront.net name: the default certificate always allows TLSv1.
resource "aws_cloudfront_distribution" "assets" {
  enabled = true

  origin {
    domain_name = "acme-assets.s3.us-east-1.amazonaws.com"
    origin_id   = "s3-assets"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3-assets"
    viewer_protocol_policy = "redirect-to-https"
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true # soc2iac-expect: fail
  }
}

# Custom certificate but minimum_protocol_version omitted: the provider default is TLSv1.
resource "aws_cloudfront_distribution" "docs" {
  enabled = true
  aliases = ["docs.example.com"]

  origin {
    domain_name = "acme-docs.s3.us-east-1.amazonaws.com"
    origin_id   = "s3-docs"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3-docs"
    viewer_protocol_policy = "redirect-to-https"
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate { # soc2iac-expect: fail
    acm_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"
    ssl_support_method  = "sni-only"
  }
}

resource "aws_cloudfront_distribution" "shop" {
  enabled = true
  aliases = ["shop.example.com"]

  origin {
    domain_name = "shop-origin.example.com"
    origin_id   = "shop"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "shop"
    viewer_protocol_policy = "redirect-to-https"
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:123456789012:certificate/7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.1_2016" # soc2iac-expect: fail
  }
}
