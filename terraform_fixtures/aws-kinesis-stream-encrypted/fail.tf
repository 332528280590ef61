resource "aws_kinesis_stream" "audit_events" { # soc2iac-expect: fail
  name             = "audit-events"
  shard_count      = 1
  retention_period = 168

  stream_mode_details {
    stream_mode = "PROVISIONED"
  }
}

resource "aws_kinesis_stream" "metrics" {
  name            = "app-metrics"
  shard_count     = 1
  encryption_type = "NONE" # soc2iac-expect: fail
}

# KMS requested without a key.
resource "aws_kinesis_stream" "telemetry" { # soc2iac-expect: fail
  name            = "device-telemetry"
  encryption_type = "KMS"

  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}
