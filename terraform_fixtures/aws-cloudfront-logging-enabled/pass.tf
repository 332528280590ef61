resource "aws_s3_bucket" "cdn_logs" {
  bucket = "acme-cdn-logs"
}

resource "aws_cloudfront_distribution" "site" {
  enabled             = true
  is_ipv6_enabled     = true
  comment             = "www.acme.example"
  default_root_object = "index.html"
  aliases             = ["www.acme.example"]
  price_class         = "PriceClass_100"

  origin {
    domain_name              = "acme-site.s3.eu-west-1.amazonaws.com"
    origin_id                = "s3-site"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "s3-site"
    viewer_protocol_policy = "redirect-to-https"
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  logging_config {
    include_cookies = false
    bucket          = aws_s3_bucket.cdn_logs.bucket_domain_name
    prefix          = "www/"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}

# Standard logging v2 (CloudWatch Logs vended delivery) instead of logging_config.
resource "aws_cloudfront_distribution" "api" {
  enabled = true
  comment = "api.acme.example"
  aliases = ["api.acme.example"]

  origin {
    domain_name = "api-origin.acme.example"
    origin_id   = "api"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "api"
    viewer_protocol_policy = "https-only"
    cache_policy_id        = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}

resource "aws_cloudwatch_log_delivery_source" "api_cdn" {
  name         = "api-cdn-access-logs"
  log_type     = "ACCESS_LOGS"
  resource_arn = aws_cloudfront_distribution.api.arn
}

resource "aws_cloudwatch_log_delivery_destination" "cdn_logs_s3" {
  name          = "cdn-logs-s3"
  output_format = "parquet"

  delivery_destination_configuration {
    destination_resource_arn = "${aws_s3_bucket.cdn_logs.arn}/api"
  }
}

resource "aws_cloudwatch_log_delivery" "api_cdn" {
  delivery_source_name     = aws_cloudwatch_log_delivery_source.api_cdn.name
  delivery_destination_arn = aws_cloudwatch_log_delivery_destination.cdn_logs_s3.arn
}
