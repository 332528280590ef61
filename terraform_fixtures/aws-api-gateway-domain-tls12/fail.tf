resource "aws_api_gateway_domain_name" "legacy" {
  domain_name              = "legacy-api.example.com"
  regional_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"
  security_policy          = "TLS_1_0" # soc2iac-expect: fail

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_apigatewayv2_domain_name" "websocket" {
  domain_name = "ws.example.com"

  domain_name_configuration {
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_0" # soc2iac-expect: fail
  }
}
