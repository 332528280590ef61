variable "db_storage_encrypted" {
  description = "Set by the calling pipeline"
  type        = bool
}

resource "aws_db_instance" "tenant" {
  identifier                  = "tenant-db"
  engine                      = "postgres"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 20
  username                    = "tenant"
  manage_master_user_password = true
  storage_encrypted           = var.db_storage_encrypted
  skip_final_snapshot         = true
}
