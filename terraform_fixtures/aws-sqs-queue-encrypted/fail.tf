resource "aws_sqs_queue" "webhooks" {
  name                       = "inbound-webhooks"
  visibility_timeout_seconds = 30
  sqs_managed_sse_enabled    = false # soc2iac-expect: fail
}
