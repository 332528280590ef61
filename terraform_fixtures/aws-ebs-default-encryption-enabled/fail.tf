resource "aws_ebs_encryption_by_default" "sandbox" {
  enabled = false # soc2iac-expect: fail
}
