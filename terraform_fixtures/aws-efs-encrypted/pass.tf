resource "aws_kms_key" "efs" {
  description         = "EFS shared storage"
  enable_key_rotation = true
}

resource "aws_efs_file_system" "shared" {
  creation_token   = "shared-uploads"
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"
  encrypted        = true
  kms_key_id       = aws_kms_key.efs.arn

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  tags = {
    Name = "shared-uploads"
  }
}
