# Secrets stored as plain-text String parameters.

variable "billing_db_password" {
  type      = string
  sensitive = true
}

resource "aws_ssm_parameter" "billing_db_password" {
  name  = "/prod/billing/db_password"
  type  = "String" # soc2iac-expect: fail
  value = var.billing_db_password
}

resource "aws_ssm_parameter" "stripe_api_key" {
  name        = "/prod/payments/stripe-api-key"
  description = "Stripe API key of the payments service"
  type        = "String" # soc2iac-expect: fail
  value       = "placeholder"

  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_ssm_parameter" "jwt_signing_key" {
  name           = "/prod/auth/jwt.key"
  type           = "String" # soc2iac-expect: fail
  insecure_value = "set-out-of-band"
}

resource "aws_ssm_parameter" "partner_credentials" {
  name  = "/prod/partner/sftp/credentials"
  type  = "StringList" # soc2iac-expect: fail
  value = "placeholder,placeholder"
}
