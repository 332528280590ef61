resource "aws_acm_certificate" "api" {
  domain_name       = "api.example.com"
  validation_method = "DNS"
}

resource "aws_api_gateway_domain_name" "regional" {
  domain_name              = "api.example.com"
  regional_certificate_arn = aws_acm_certificate.api.arn
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_domain_name" "partners" {
  domain_name              = "partners.example.com"
  regional_certificate_arn = aws_acm_certificate.api.arn
  security_policy          = "SecurityPolicy_TLS13_1_2_2021_06"
  endpoint_access_mode     = "STRICT"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

# No security_policy: AWS documents TLS_1_2 as the default for new custom domain names.
resource "aws_api_gateway_domain_name" "edge" {
  domain_name     = "www-api.example.com"
  certificate_arn = aws_acm_certificate.api.arn
}

# Shaped like terraform-aws-modules/apigateway-v2.
resource "aws_apigatewayv2_domain_name" "http_api" {
  domain_name = "events.example.com"

  domain_name_configuration {
    certificate_arn = aws_acm_certificate.api.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }

  tags = {
    Environment = "production"
  }
}
