resource "aws_cloudwatch_log_group" "short" {
  name              = "/app/short"
  retention_in_days = 7 # soc2iac-expect: fail
}
