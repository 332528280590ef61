# count decided through locals defined in another file (locals.tf), in any order,
# with variables from defaults and terraform.tfvars.
resource "aws_cloudwatch_log_group" "app" {
  count = local.create ? 1 : 0

  name              = "/acme/app"
  retention_in_days = local.retention
}

# switched off: var.enabled is false in terraform.tfvars, so no resource and no verdict
resource "aws_cloudwatch_log_group" "debug" {
  count = local.create_debug ? 1 : 0

  name              = "/acme/debug"
  retention_in_days = 1
}

resource "aws_ebs_volume" "data" {
  count = local.volume_count

  availability_zone = "us-east-1a"
  size              = 10
  encrypted         = local.encrypt_volumes
}

resource "aws_sns_topic" "alerts" {
  count = var.create && !var.enabled ? 0 : 1

  name              = "alerts"
  kms_master_key_id = local.topic_key
}
