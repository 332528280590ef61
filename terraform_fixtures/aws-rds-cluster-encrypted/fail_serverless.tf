# Aurora Serverless v1 explicitly declared unencrypted.
resource "aws_rds_cluster" "legacy_serverless" {
  cluster_identifier          = "legacy-serverless"
  engine                      = "aurora-mysql"
  engine_mode                 = "serverless"
  master_username             = "legacy"
  manage_master_user_password = true
  storage_encrypted           = false # soc2iac-expect: fail
  skip_final_snapshot         = true
}
