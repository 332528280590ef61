
variable "retention_days" {
  default = 7
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = "/acme/audit"
  retention_in_days = var.retention_days
}

resource "aws_s3_bucket" "logs" {
  bucket        = "acme-audit-logs"
  force_destroy = true
}



resource "aws_cloudtrail" "main" {
  name                          = "acme-main"
  s3_bucket_name                = aws_s3_bucket.logs.id
  is_multi_region_trail         = true
  enable_log_file_validation    = true
}

resource "aws_ssm_parameter" "db_password" {
  name  = "/acme/db/password"
  type  = "SecureString"
  value = "CanaryPlanSecret-7f3a9c"
}
