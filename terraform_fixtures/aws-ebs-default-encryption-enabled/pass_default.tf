# enabled is omitted: the provider default is true.
resource "aws_ebs_encryption_by_default" "baseline" {}
