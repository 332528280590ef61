# RDS the way terraform-aws-rds examples use it: a master with a literal password and storage
# not encrypted (SQL Server Express style), a replica reading it, a disabled instance whose log
# groups must not exist, and a wrapper with defaults.
module "master" {
  source = "./modules/db"

  identifier                      = "orders-master"
  storage_encrypted               = false
  password                        = "UberSecretPassword1"
  manage_master_user_password     = false
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
  create_cloudwatch_log_group     = true
}

module "replica" {
  source = "./modules/db"

  identifier                             = "orders-replica"
  replicate_source_db                    = module.master.identifier
  password                               = "ignored-for-replicas"
  manage_master_user_password            = false
  enabled_cloudwatch_logs_exports        = ["postgresql"]
  create_cloudwatch_log_group            = true
  cloudwatch_log_group_retention_in_days = 400
}

module "disabled" {
  source = "./modules/db"

  identifier                      = "orders-disabled"
  create_db_instance              = false
  enabled_cloudwatch_logs_exports = ["postgresql"]
  create_cloudwatch_log_group     = true
}

module "fleet" {
  source = "./modules/wrapper"

  defaults = {
    create_log_group = true
    retention        = 30
  }
  items = {
    billing = { logs = ["postgresql"] }
    audit   = { logs = ["postgresql", "upgrade"], retention = 3653 }
    legacy  = { storage_encrypted = false }
  }
}
