variable "trail_multi_region" {
  type        = bool
  description = "Whether the trail covers every Region (set by the caller)."
}

resource "aws_cloudtrail" "configurable" {
  name                  = "configurable"
  s3_bucket_name        = "acme-cloudtrail-logs"
  is_multi_region_trail = var.trail_multi_region
}
