variable "storage_encrypted" {
  description = "Specifies whether the DB instance is encrypted"
  type        = bool
  default     = true
}

variable "replica_kms_key_arn" {
  description = "KMS key in the replica Region"
  type        = string
  default     = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
}

provider "aws" {
  alias  = "dr"
  region = "eu-west-1"
}

resource "aws_kms_key" "rds" {
  description             = "RDS storage encryption"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}

resource "aws_db_instance" "primary" {
  identifier                  = "orders-db"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.r6g.large"
  allocated_storage           = 100
  max_allocated_storage       = 500
  db_name                     = "orders"
  username                    = "orders_admin"
  manage_master_user_password = true
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.rds.arn
  backup_retention_period     = 14
  multi_az                    = true
  skip_final_snapshot         = false
  final_snapshot_identifier   = "orders-db-final"
}

# Same-Region read replica: inherits the source's key and declares the encryption it gets.
resource "aws_db_instance" "replica" {
  identifier          = "orders-db-replica"
  replicate_source_db = aws_db_instance.primary.identifier
  instance_class      = "db.r6g.large"
  storage_encrypted   = true
  skip_final_snapshot = true
}

# Cross-Region read replica: encrypted with a key of the destination Region.
resource "aws_db_instance" "replica_dr" {
  provider            = aws.dr
  identifier          = "orders-db-dr"
  replicate_source_db = aws_db_instance.primary.arn
  instance_class      = "db.r6g.large"
  kms_key_id          = var.replica_kms_key_arn
  skip_final_snapshot = true
}

# Shape of terraform-aws-modules/rds modules/db_instance.
resource "aws_db_instance" "this" {
  count = 1

  identifier                  = "billing-db"
  engine                      = "mysql"
  engine_version              = "8.0"
  instance_class              = "db.t4g.large"
  allocated_storage           = 20
  storage_type                = "gp3"
  storage_encrypted           = var.storage_encrypted
  kms_key_id                  = null
  username                    = "billing"
  manage_master_user_password = true
  skip_final_snapshot         = true
}
