resource "aws_kms_key" "orders" {
  description         = "Order events"
  enable_key_rotation = true
}

resource "aws_sqs_queue" "orders" {
  name                              = "orders"
  visibility_timeout_seconds        = 60
  message_retention_seconds         = 345600
  kms_master_key_id                 = aws_kms_key.orders.arn
  kms_data_key_reuse_period_seconds = 300
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.orders_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "orders_dlq" {
  name                    = "orders-dlq"
  sqs_managed_sse_enabled = true
}

# AWS managed key for SQS.
resource "aws_sqs_queue" "notifications" {
  name              = "notifications.fifo"
  fifo_queue        = true
  kms_master_key_id = "alias/aws/sqs"
}

# Nothing declared: AWS applies SSE-SQS to new queues.
resource "aws_sqs_queue" "thumbnails" {
  name                       = "thumbnail-jobs"
  visibility_timeout_seconds = 120
}
