# Secret variables with a committed default value.

variable "db_password" {
  description = "Master password of the orders database."
  type        = string
  default     = "OrdersExamplePassw0rd!" # soc2iac-expect: fail
}

# sensitive = true hides the value from plan output, not from the repository.
variable "aws_secret_access_key" {
  description = "Secret key of the deploy user."
  type        = string
  sensitive   = true
  default     = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" # soc2iac-expect: fail
}

variable "stripe_api_key" {
  type      = string
  sensitive = true
  default   = "sk_live_EXAMPLE0EXAMPLE0EXAMPLE0" # soc2iac-expect: fail
}

variable "smtp_credentials" {
  description = "SMTP relay login."
  type = object({
    username = string
    password = string
  })
  default = {
    password = "SmtpExamplePassw0rd" # soc2iac-expect: fail
    username = "relay@example.com"
  }
}

variable "webhook_tokens" {
  type    = list(string)
  default = ["example-webhook-token-0001", "example-webhook-token-0002"] # soc2iac-expect: fail
}
