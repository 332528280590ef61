# Defaults overridden by terraform.tfvars, then by *.auto.tfvars (lexical order, later wins).
variable "environments" {
  type    = list(string)
  default = ["dev"]
}

variable "retention_days" {
  type    = map(number)
  default = { dev = 1 }
}

variable "encrypted_envs" {
  type    = set(string)
  default = []
}

variable "trail_multi_region" {
  type    = bool
  default = false
}

resource "aws_cloudwatch_log_group" "env" {
  for_each = toset(var.environments)

  name              = "/acme/${each.key}"
  retention_in_days = lookup(var.retention_days, each.key, 30)
}

resource "aws_efs_file_system" "env" {
  for_each = toset(var.environments)

  creation_token = "acme-${each.key}"
  encrypted      = contains(var.encrypted_envs, each.key)
}

resource "aws_cloudtrail" "main" {
  name                       = "acme"
  s3_bucket_name             = "acme-trail-logs"
  is_multi_region_trail      = var.trail_multi_region
  enable_log_file_validation = length(var.environments) > 2
}
