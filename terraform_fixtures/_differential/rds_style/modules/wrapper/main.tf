# Modelled on the terraform-aws-modules wrappers: one module instance per item, each setting
# falling back to the shared defaults through try().
variable "defaults" {
  type    = any
  default = {}
}

variable "items" {
  type    = any
  default = {}
}

module "wrapper" {
  source   = "../db"
  for_each = var.items

  identifier                             = each.key
  storage_encrypted                      = try(each.value.storage_encrypted, var.defaults.storage_encrypted, true)
  enabled_cloudwatch_logs_exports        = try(each.value.logs, var.defaults.logs, [])
  create_cloudwatch_log_group            = try(each.value.create_log_group, var.defaults.create_log_group, false)
  cloudwatch_log_group_retention_in_days = try(each.value.retention, var.defaults.retention, 7)
}
