# Modelled on the terraform-aws-rds root module: every argument passed through to db_instance.
variable "identifier" {
  type = string
}

variable "create_db_instance" {
  type    = bool
  default = true
}

variable "storage_encrypted" {
  type    = bool
  default = true
}

variable "password" {
  type    = string
  default = null
}

variable "manage_master_user_password" {
  type    = bool
  default = true
}

variable "replicate_source_db" {
  type    = string
  default = null
}

variable "enabled_cloudwatch_logs_exports" {
  type    = list(string)
  default = []
}

variable "create_cloudwatch_log_group" {
  type    = bool
  default = false
}

variable "cloudwatch_log_group_retention_in_days" {
  type    = number
  default = 7
}

module "db_instance" {
  source = "../db_instance"

  create                                 = var.create_db_instance
  identifier                             = var.identifier
  storage_encrypted                      = var.storage_encrypted
  password                               = var.manage_master_user_password ? null : var.password
  manage_master_user_password            = var.manage_master_user_password
  replicate_source_db                    = var.replicate_source_db
  enabled_cloudwatch_logs_exports        = var.enabled_cloudwatch_logs_exports
  create_cloudwatch_log_group            = var.create_cloudwatch_log_group
  cloudwatch_log_group_retention_in_days = var.cloudwatch_log_group_retention_in_days
}

output "identifier" {
  value = module.db_instance.identifier
}
