variable "log_kms_key_arn" {
  description = "KMS key for the log group, supplied by the platform team"
  type        = string
}

resource "aws_cloudwatch_log_group" "flow" {
  name              = "/vpc/flow-logs"
  retention_in_days = 365
  kms_key_id        = var.log_kms_key_arn
}
