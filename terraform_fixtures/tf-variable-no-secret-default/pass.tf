# Secret variables without a literal default, and non-secret settings with secret-ish names.

variable "orders_db_password" {
  description = "Master password of the orders database; set by CI through TF_VAR_orders_db_password."
  type        = string
  sensitive   = true
}

variable "vault_token" {
  description = "Vault token of the pipeline."
  type        = string
  sensitive   = true
  nullable    = false
}

variable "api_token" {
  description = "Optional API token; the provider reads its environment variable when null."
  type        = string
  sensitive   = true
  default     = null
}

variable "smtp_password" {
  description = "SMTP relay password; empty disables authentication."
  type        = string
  sensitive   = true
  default     = ""
}

variable "enable_api_key_auth" {
  description = "Require an API key on the public endpoints."
  type        = bool
  default     = true
}

variable "db_password_length" {
  type    = number
  default = 32
}

variable "token_ttl" {
  type    = number
  default = 3600
}

variable "secret_name" {
  type    = string
  default = "prod/orders/db"
}

variable "jwt_secret_arn" {
  type    = string
  default = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/jwt-AbCdEf"
}

variable "kms_key_id" {
  type    = string
  default = "alias/orders"
}

variable "ssh_private_key_path" {
  type    = string
  default = "~/.ssh/id_ed25519"
}
