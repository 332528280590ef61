# Lambda functions with secrets written into their environment.

resource "aws_lambda_function" "orders_api_v1" {
  function_name = "orders-api-v1"
  role          = "arn:aws:iam::123456789012:role/orders-api"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/orders-api.zip"

  environment {
    variables = {
      DB_HOST           = "orders.cluster-abc123.eu-west-1.rds.amazonaws.com"
      DB_USER           = "orders_app"
      DB_PASSWORD       = "OrdersExamplePassw0rd!" # soc2iac-expect: fail
      STRIPE_SECRET_KEY = "sk_live_EXAMPLE0EXAMPLE0EXAMPLE0"
      LOG_LEVEL         = "info"
    }
  }
}

# The key id alone is enough to recognise a committed AWS credential.
resource "aws_lambda_function" "report_export" {
  function_name = "report-export"
  role          = "arn:aws:iam::123456789012:role/report-export"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "build/report-export.zip"

  environment {
    variables = {
      EXPORT_BUCKET         = "acme-report-exports"
      AWS_ACCESS_KEY_ID     = "AKIAIOSFODNN7EXAMPLE" # soc2iac-expect: fail
      AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    }
  }
}

resource "aws_lambda_function" "slack_notifier" {
  function_name = "slack-notifier"
  role          = "arn:aws:iam::123456789012:role/slack-notifier"
  runtime       = "python3.12"
  handler       = "notify.handler"
  filename      = "build/slack-notifier.zip"

  environment {
    variables = {
      SLACK_CHANNEL   = "#alerts"
      SLACK_BOT_TOKEN = "xoxb-EXAMPLE-0000000000-EXAMPLEEXAMPLE" # soc2iac-expect: fail
    }
  }
}
