# Related-resource policies through counted and for_each references (aws_vpc.this[0].id).
variable "create_vpc" {
  type    = bool
  default = true
}

variable "enable_flow_log" {
  type    = bool
  default = true
}

variable "vpcs" {
  type    = map(string)
  default = { a = "10.1.0.0/16", b = "10.2.0.0/16" }
}

variable "flow_log_vpcs" {
  type    = list(string)
  default = ["a"]
}

locals {
  create_flow_log = var.create_vpc && var.enable_flow_log
}

resource "aws_vpc" "this" {
  count = var.create_vpc ? 1 : 0

  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "this" {
  count = local.create_flow_log ? 1 : 0

  vpc_id               = aws_vpc.this[0].id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::acme-flow-logs"
}

resource "aws_vpc" "many" {
  for_each = var.vpcs

  cidr_block = each.value
}

resource "aws_flow_log" "many" {
  for_each = toset(var.flow_log_vpcs)

  vpc_id               = aws_vpc.many[each.key].id
  traffic_type         = "REJECT"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::acme-flow-logs"
}

resource "aws_s3_bucket" "trail" {
  count = 1

  bucket = "acme-trail-bucket"
}

resource "aws_cloudtrail" "main" {
  count = 1

  name                          = "acme-main"
  s3_bucket_name                = aws_s3_bucket.trail[0].id
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  kms_key_id                    = null
}
