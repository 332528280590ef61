# enable_log_file_validation left out: the provider default is false.
resource "aws_cloudtrail" "main" { # soc2iac-expect: fail
  name                          = "main"
  s3_bucket_name                = "acme-cloudtrail-logs"
  include_global_service_events = true
  is_multi_region_trail         = true
}

resource "aws_cloudtrail" "legacy" {
  name                       = "legacy"
  s3_bucket_name             = "acme-legacy-trail"
  is_multi_region_trail      = true
  enable_log_file_validation = false # soc2iac-expect: fail
}
