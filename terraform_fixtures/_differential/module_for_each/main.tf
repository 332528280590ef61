# Module calls with for_each and count: module.logs["audit"].aws_cloudwatch_log_group.this[0]
variable "log_groups" {
  type = map(object({
    retention = number
    kms       = optional(string)
  }))
  default = {
    audit  = { retention = 400, kms = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
    access = { retention = 14 }
  }
}

variable "archive" {
  type    = bool
  default = false
}

module "logs" {
  source   = "../modules/log_group"
  for_each = var.log_groups

  name              = "/acme/${each.key}"
  retention_in_days = each.value.retention
  kms_key_id        = each.value.kms
}

# count = 0: nothing inside it exists
module "archive" {
  source = "../modules/log_group"
  count  = var.archive ? 1 : 0

  name              = "/acme/archive"
  retention_in_days = 1
}

# count = 2 with count.index in the inputs
module "shards" {
  source = "../modules/log_group"
  count  = 2

  name              = "/acme/shard-${count.index}"
  retention_in_days = count.index == 0 ? 731 : 3
}

# create = false inside the module: the call exists, its resource does not
module "disabled" {
  source = "../modules/log_group"

  name   = "/acme/disabled"
  create = false
}

module "queues" {
  source   = "../modules/queue"
  for_each = toset(["orders", "plain"])

  name        = "acme-${each.key}"
  encryption  = each.key == "plain" ? "none" : "kms"
  dead_letter = each.key == "orders"
}
