resource "aws_kms_key" "aurora" {
  description         = "Aurora storage encryption"
  enable_key_rotation = true
}

resource "aws_rds_cluster" "app" {
  cluster_identifier          = "app-aurora-pg"
  engine                      = "aurora-postgresql"
  engine_version              = "15.4"
  database_name               = "app"
  master_username             = "app_admin"
  manage_master_user_password = true
  db_subnet_group_name        = "app-db"
  vpc_security_group_ids      = ["sg-0a1b2c3d4e5f60718"]
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.aurora.arn
  backup_retention_period     = 14
  preferred_backup_window     = "02:00-03:00"
  deletion_protection         = true
  skip_final_snapshot         = false
  final_snapshot_identifier   = "app-aurora-pg-final"

  serverlessv2_scaling_configuration {
    min_capacity = 0.5
    max_capacity = 16
  }
}

# Aurora Serverless v1: AWS always encrypts these clusters.
resource "aws_rds_cluster" "reports" {
  cluster_identifier          = "reports-serverless"
  engine                      = "aurora-mysql"
  engine_mode                 = "serverless"
  database_name               = "reports"
  master_username             = "reports"
  manage_master_user_password = true
  skip_final_snapshot         = true

  scaling_configuration {
    auto_pause               = true
    min_capacity             = 1
    max_capacity             = 8
    seconds_until_auto_pause = 300
  }
}
