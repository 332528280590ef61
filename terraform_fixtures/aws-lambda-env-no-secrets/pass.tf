# Lambda functions that receive only the names/ARNs of their secrets, or values from variables.

variable "sentry_dsn" {
  description = "Sentry DSN of the billing service, set by CI."
  type        = string
  sensitive   = true
}

resource "aws_kms_key" "lambda_env" {
  description         = "Lambda environment encryption"
  enable_key_rotation = true
}

resource "aws_secretsmanager_secret" "orders_db" {
  name       = "prod/orders/db"
  kms_key_id = aws_kms_key.lambda_env.arn
}

resource "aws_lambda_function" "orders_api" {
  function_name = "orders-api"
  role          = "arn:aws:iam::123456789012:role/orders-api"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/orders-api.zip"
  kms_key_arn   = aws_kms_key.lambda_env.arn
  layers        = ["arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11"]

  environment {
    variables = {
      DB_HOST                                    = "orders.cluster-abc123.eu-west-1.rds.amazonaws.com"
      DB_SECRET_ARN                              = aws_secretsmanager_secret.orders_db.arn
      DB_PASSWORD_SECRET_NAME                    = "prod/orders/db"
      STRIPE_SECRET_ARN                          = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/stripe-AbCdEf"
      PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED = "true"
      SECRETS_MANAGER_TTL                        = "300"
      TOKEN_TTL                                  = "900"
      LOG_LEVEL                                  = "info"
    }
  }
}

resource "aws_lambda_function" "billing" {
  function_name = "billing"
  role          = "arn:aws:iam::123456789012:role/billing"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "build/billing.zip"

  environment {
    variables = {
      SENTRY_DSN      = var.sentry_dsn
      API_KEY_ENABLED = "true"
    }
  }
}
