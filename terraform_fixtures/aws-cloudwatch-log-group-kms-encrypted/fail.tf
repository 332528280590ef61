resource "aws_cloudwatch_log_group" "worker" { # soc2iac-expect: fail
  name              = "/ecs/payments-worker"
  retention_in_days = 90
}
