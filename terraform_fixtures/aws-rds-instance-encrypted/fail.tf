resource "aws_db_instance" "legacy" { # soc2iac-expect: fail
  identifier                  = "legacy-mysql"
  engine                      = "mysql"
  engine_version              = "8.0"
  instance_class              = "db.t3.medium"
  allocated_storage           = 20
  username                    = "admin"
  manage_master_user_password = true
  skip_final_snapshot         = true
}

resource "aws_db_instance" "reporting" {
  identifier                  = "reporting-pg"
  engine                      = "postgres"
  instance_class              = "db.m6i.large"
  allocated_storage           = 50
  username                    = "report"
  manage_master_user_password = true
  storage_encrypted           = false # soc2iac-expect: fail
  skip_final_snapshot         = true
}

# A same-Region replica that declares no encryption: its source is unencrypted
# (a replica of an encrypted source must declare storage_encrypted = true).
resource "aws_db_instance" "legacy_replica" { # soc2iac-expect: fail
  identifier          = "legacy-mysql-replica"
  replicate_source_db = aws_db_instance.legacy.identifier
  instance_class      = "db.t3.medium"
  skip_final_snapshot = true
}
