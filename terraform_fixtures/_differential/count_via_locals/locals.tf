locals {
  create_debug    = local.create && var.enabled
  create          = var.create && var.region != ""
  retention       = local.is_prod ? 365 : 30
  is_prod         = var.env == "prod"
  volume_count    = local.create ? length(var.volume_names) : 0
  encrypt_volumes = !local.is_prod
  topic_key       = local.is_prod ? null : "alias/aws/sns"
}
