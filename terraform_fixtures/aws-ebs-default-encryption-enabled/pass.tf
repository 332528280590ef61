resource "aws_kms_key" "ebs_default" {
  description         = "Default EBS encryption key"
  enable_key_rotation = true
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

resource "aws_ebs_default_kms_key" "this" {
  key_arn = aws_kms_key.ebs_default.arn
}
