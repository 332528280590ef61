# for_each through filtered for expressions over a list and a map of objects.
variable "logs" {
  type    = list(string)
  default = ["audit", "access"]
}

variable "create_log_group" {
  type    = bool
  default = false
}

variable "streams" {
  type = map(object({
    enabled   = bool
    retention = number
    kms       = optional(string)
  }))
  default = {
    orders   = { enabled = true, retention = 7 }
    payments = { enabled = true, retention = 400, kms = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
    legacy   = { enabled = false, retention = 1 }
  }
}

# phantom before: the filter drops every element (create_log_group = false)
resource "aws_cloudwatch_log_group" "logs" {
  for_each = toset([for l in var.logs : l if var.create_log_group])

  name              = "/acme/${each.value}"
  retention_in_days = 1
}

resource "aws_cloudwatch_log_group" "streams" {
  for_each = { for name, s in var.streams : name => s if s.enabled }

  name              = "/acme/streams/${each.key}"
  retention_in_days = each.value.retention
  kms_key_id        = each.value.kms
}

resource "aws_kinesis_stream" "streams" {
  for_each = toset([for name, s in var.streams : name if s.enabled && s.retention > 30])

  name             = each.key
  shard_count      = 1
  encryption_type  = var.streams[each.key].kms == null ? "NONE" : "KMS"
  kms_key_id       = var.streams[each.key].kms
}
