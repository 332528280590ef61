variable "security_policy" {
  type = string
}

resource "aws_api_gateway_domain_name" "configurable" {
  domain_name              = "configurable.example.com"
  regional_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"
  security_policy          = var.security_policy

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}
