# Secrets in SecureString parameters; plain String parameters only for non-secret settings.

resource "aws_kms_key" "params" {
  description         = "Parameter Store secrets"
  enable_key_rotation = true
}

resource "random_password" "orders_db" {
  length  = 32
  special = true
}

resource "aws_ssm_parameter" "orders_db_password" {
  name   = "/prod/orders/db_password"
  type   = "SecureString"
  key_id = aws_kms_key.params.arn
  value  = random_password.orders_db.result
}

resource "aws_ssm_parameter" "payments_api_key" {
  name   = "/prod/payments/api-key"
  type   = "SecureString"
  key_id = aws_kms_key.params.arn
  value  = "placeholder"

  lifecycle {
    ignore_changes = [value]
  }
}

# Names of secrets, locations and non-secret settings: not checked.
resource "aws_ssm_parameter" "orders_db_username" {
  name  = "/prod/orders/db_username"
  type  = "String"
  value = "orders_app"
}

resource "aws_ssm_parameter" "orders_db_password_secret_arn" {
  name  = "/prod/orders/db_password_secret_arn"
  type  = "String"
  value = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/db-AbCdEf"
}

resource "aws_ssm_parameter" "token_ttl" {
  name  = "/prod/auth/token_ttl"
  type  = "String"
  value = "900"
}

resource "aws_ssm_parameter" "jwt_public_key" {
  name  = "/prod/auth/jwt_public_key"
  type  = "String"
  value = "placeholder"
}

resource "aws_ssm_parameter" "oauth_token_url" {
  name  = "/prod/auth/oauth_token_url"
  type  = "String"
  value = "https://idp.example.com/oauth2/token"
}

resource "aws_ssm_parameter" "keycloak_realm" {
  name  = "/prod/auth/keycloak_realm"
  type  = "String"
  value = "customers"
}
