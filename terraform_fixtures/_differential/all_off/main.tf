# Every feature switched off, each in a different way: nothing exists, so no verdict at all.
variable "create" {
  type    = bool
  default = false
}

variable "names" {
  type    = list(string)
  default = []
}

variable "settings" {
  type    = any
  default = {}
}

locals {
  enabled  = var.create && length(var.names) > 0
  features = try(var.settings.features, {})
}

resource "aws_s3_bucket" "a" {
  count  = local.enabled ? 1 : 0
  bucket = "acme-off-a"
}

resource "aws_ebs_volume" "b" {
  for_each          = toset(var.names)
  availability_zone = "us-east-1a"
  size              = 1
}

resource "aws_cloudwatch_log_group" "c" {
  for_each          = { for k, v in local.features : k => v if v }
  name              = "/acme/${each.key}"
  retention_in_days = 1
}

resource "aws_sqs_queue" "d" {
  count                   = length(compact([for n in var.names : n if n != ""]))
  name                    = "acme-off-d"
  sqs_managed_sse_enabled = false
}

resource "aws_sns_topic" "e" {
  count = lookup(var.settings, "topic", false) ? 1 : 0
  name  = "acme-off-e"
}

module "logs" {
  source   = "../modules/log_group"
  for_each = local.features

  name              = each.key
  retention_in_days = 1
}

module "queue" {
  source = "../modules/queue"
  count  = local.enabled ? 1 : 0

  name       = "acme-off-queue"
  encryption = "none"
}

module "bucket" {
  source = "../modules/bucket"

  bucket        = "acme-off-bucket"
  create_bucket = local.enabled
}
