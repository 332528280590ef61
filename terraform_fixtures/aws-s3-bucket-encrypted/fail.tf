resource "aws_s3_bucket" "plain" { # soc2iac-expect: fail
  bucket = "acme-plain-data"
}
