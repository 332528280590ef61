# is_multi_region_trail left out: the provider default is false (this Region only).
resource "aws_cloudtrail" "main" { # soc2iac-expect: fail
  name                          = "main"
  s3_bucket_name                = "acme-cloudtrail-logs"
  include_global_service_events = true
  enable_log_file_validation    = true
}

resource "aws_cloudtrail" "data_events" {
  name                       = "s3-data-events"
  s3_bucket_name             = "acme-cloudtrail-logs"
  is_multi_region_trail      = false # soc2iac-expect: fail
  enable_log_file_validation = true

  event_selector {
    read_write_type           = "All"
    include_management_events = false

    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3"]
    }
  }
}
