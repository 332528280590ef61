resource "aws_api_gateway_rest_api" "orders" {
  name                         = "orders"
  disable_execute_api_endpoint = true

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_base_path_mapping" "orders" {
  api_id      = aws_api_gateway_rest_api.orders.id
  stage_name  = "prod"
  domain_name = aws_api_gateway_domain_name.api.domain_name
}

resource "aws_apigatewayv2_api" "events" {
  name                         = "events"
  protocol_type                = "HTTP"
  disable_execute_api_endpoint = true
}

resource "aws_apigatewayv2_api_mapping" "events" {
  api_id      = aws_apigatewayv2_api.events.id
  domain_name = "events.example.com"
  stage       = "$default"
}

# No custom domain: the execute-api endpoint is the API's only endpoint (not applicable).
resource "aws_apigatewayv2_api" "internal" {
  name          = "internal-webhooks"
  protocol_type = "HTTP"
}
