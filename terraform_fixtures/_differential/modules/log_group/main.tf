variable "name" {
  type = string
}

variable "create" {
  type    = bool
  default = true
}

variable "retention_in_days" {
  type    = number
  default = null
}

variable "kms_key_id" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  # the registry-module shape: one switch through a local
  enabled = var.create && var.name != ""
}

resource "aws_cloudwatch_log_group" "this" {
  count = local.enabled ? 1 : 0

  name              = var.name
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_id
  tags              = merge({ Module = "log_group" }, var.tags)
}

output "name" {
  value = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "arn" {
  value = try(aws_cloudwatch_log_group.this[0].arn, "")
}
