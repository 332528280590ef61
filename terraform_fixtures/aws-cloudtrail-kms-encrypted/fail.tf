# Module-style trail: the key is optional and defaults to null (SSE-S3 only).
variable "cloudtrail_kms_key_arn" {
  type        = string
  default     = null
  description = "KMS key for CloudTrail log files; null keeps S3-managed encryption."
}

resource "aws_cloudtrail" "main" {
  name                          = "main"
  s3_bucket_name                = "acme-cloudtrail-logs"
  include_global_service_events = true
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  kms_key_id                    = var.cloudtrail_kms_key_arn # soc2iac-expect: fail
}

# kms_key_id left out entirely.
resource "aws_cloudtrail" "security" { # soc2iac-expect: fail
  name                       = "security"
  s3_bucket_name             = "acme-security-trail"
  is_multi_region_trail      = true
  enable_log_file_validation = true
}
