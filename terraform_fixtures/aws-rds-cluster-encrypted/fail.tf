resource "aws_rds_cluster" "analytics" { # soc2iac-expect: fail
  cluster_identifier          = "analytics-aurora"
  engine                      = "aurora-mysql"
  engine_version              = "8.0.mysql_aurora.3.05.2"
  database_name               = "analytics"
  master_username             = "analytics"
  manage_master_user_password = true
  backup_retention_period     = 7
  skip_final_snapshot         = true
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier          = "ledger"
  engine                      = "aurora-postgresql"
  engine_mode                 = "provisioned"
  master_username             = "ledger"
  manage_master_user_password = true
  storage_encrypted           = false # soc2iac-expect: fail
  skip_final_snapshot         = true
}

# A KMS key without storage_encrypted = true does not encrypt the cluster.
resource "aws_rds_cluster" "events" { # soc2iac-expect: fail
  cluster_identifier          = "events"
  engine                      = "aurora-postgresql"
  master_username             = "events"
  manage_master_user_password = true
  kms_key_id                  = "arn:aws:kms:us-east-1:111122223333:key/6f0e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b"
  skip_final_snapshot         = true
}
