variable "log_retention_days" {
  type    = number
  default = 400
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = "/app/audit"
  retention_in_days = var.log_retention_days
}
