# Variables from terraform.tfvars.json and *.auto.tfvars.json; object defaults merged with overrides.
variable "queues" {
  type = map(object({
    fifo       = optional(bool, false)
    encryption = optional(string, "sqs")
  }))
  default = {}
}

variable "defaults" {
  type = object({
    retention = number
    kms       = optional(string)
  })
  default = {
    retention = 30
  }
}

variable "groups" {
  type    = map(any)
  default = {}
}

resource "aws_sqs_queue" "this" {
  for_each = var.queues

  name                    = each.value.fifo ? "${each.key}.fifo" : each.key
  fifo_queue              = each.value.fifo
  sqs_managed_sse_enabled = each.value.encryption == "kms" ? null : each.value.encryption == "sqs"
  kms_master_key_id       = each.value.encryption == "kms" ? "alias/aws/sqs" : null
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = { for name, g in var.groups : name => merge(var.defaults, g) }

  name              = "/acme/${each.key}"
  retention_in_days = each.value.retention
  kms_key_id        = lookup(each.value, "kms", null)
}
