# A module that calls another module: nested addresses module.a.module.b....
variable "env" {
  type = string
}

variable "log_groups" {
  type = map(object({
    retention = optional(number)
    encrypted = optional(bool, false)
  }))
  default = {}
}

variable "kms_key_arn" {
  type    = string
  default = null
}

module "groups" {
  source   = "../log_group"
  for_each = var.log_groups

  name              = "/${var.env}/${each.key}"
  retention_in_days = each.value.retention
  kms_key_id        = each.value.encrypted ? var.kms_key_arn : null
}

module "audit" {
  source = "../log_group"
  count  = var.env == "prod" ? 1 : 0

  name              = "/${var.env}/audit"
  retention_in_days = 400
  kms_key_id        = var.kms_key_arn
}

output "group_names" {
  value = [for k, m in module.groups : m.name]
}
