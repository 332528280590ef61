data "aws_caller_identity" "current" {}

resource "aws_kms_key" "cloudtrail" {
  description         = "CloudTrail log encryption"
  enable_key_rotation = true
}

resource "aws_cloudtrail" "org" {
  name                          = "org-audit-trail"
  s3_bucket_name                = "acme-org-cloudtrail-logs"
  s3_key_prefix                 = "cloudtrail"
  include_global_service_events = true
  is_multi_region_trail         = true
  is_organization_trail         = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.cloudtrail.arn
  cloud_watch_logs_group_arn    = "arn:aws:logs:eu-west-1:111122223333:log-group:cloudtrail:*"
  cloud_watch_logs_role_arn     = "arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch"

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }

  tags = {
    Name = "org-audit-trail"
  }
}
