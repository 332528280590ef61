resource "aws_kms_key" "alerts" {
  description         = "SNS alerts"
  enable_key_rotation = true
}

resource "aws_sns_topic" "alerts" {
  name              = "prod-alerts"
  kms_master_key_id = aws_kms_key.alerts.id
}

resource "aws_sns_topic" "deployments" {
  name                        = "deployments.fifo"
  fifo_topic                  = true
  content_based_deduplication = true
  kms_master_key_id           = "alias/aws/sns"
}
