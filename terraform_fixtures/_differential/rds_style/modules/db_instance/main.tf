# Modelled on terraform-aws-rds modules/db_instance: the password is dropped only when AWS manages
# it (a replica given one still sends it), log groups follow the exported log types and a toggle.
variable "create" {
  type    = bool
  default = true
}

variable "identifier" {
  type = string
}

variable "storage_encrypted" {
  type    = bool
  default = true
}

variable "kms_key_id" {
  type    = string
  default = null
}

variable "password" {
  type      = string
  default   = null
  sensitive = true
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

locals {
  is_replica = var.replicate_source_db != null
}

resource "aws_db_instance" "this" {
  count = var.create ? 1 : 0

  identifier                  = var.identifier
  engine                      = local.is_replica ? null : "postgres"
  instance_class              = "db.t3.micro"
  allocated_storage           = local.is_replica ? null : 20
  username                    = !local.is_replica ? "app" : null
  password                    = !local.is_replica && var.manage_master_user_password ? null : var.password
  manage_master_user_password = !local.is_replica && var.manage_master_user_password ? true : null
  replicate_source_db         = var.replicate_source_db
  storage_encrypted           = var.storage_encrypted
  kms_key_id                  = var.kms_key_id
  skip_final_snapshot         = true
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = toset([for log in var.enabled_cloudwatch_logs_exports : log if var.create && var.create_cloudwatch_log_group])

  name              = "/aws/rds/instance/${var.identifier}/${each.value}"
  retention_in_days = var.cloudwatch_log_group_retention_in_days
}

output "identifier" {
  value = try(aws_db_instance.this[0].identifier, null)
}
