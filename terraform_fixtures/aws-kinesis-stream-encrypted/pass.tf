resource "aws_kms_key" "stream" {
  description         = "Kinesis clickstream"
  enable_key_rotation = true
}

resource "aws_kinesis_stream" "clickstream" {
  name             = "clickstream"
  retention_period = 48
  encryption_type  = "KMS"
  kms_key_id       = aws_kms_key.stream.arn

  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}

resource "aws_kinesis_stream" "cdc" {
  name             = "orders-cdc"
  shard_count      = 2
  retention_period = 24
  encryption_type  = "KMS"
  kms_key_id       = "alias/aws/kinesis"

  shard_level_metrics = ["IncomingBytes", "OutgoingBytes"]
}
