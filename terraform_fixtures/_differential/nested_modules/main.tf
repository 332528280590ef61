# A module that calls modules (for_each and count inside), with optional() object attributes.
module "prod" {
  source = "../modules/stack"

  env         = "prod"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  log_groups = {
    api    = { retention = 365, encrypted = true }
    worker = { retention = 7 }
  }
}

module "dev" {
  source = "../modules/stack"

  env = "dev"
  log_groups = {
    api = {}
  }
}

# length() of a list whose elements are known only after apply is still known
resource "aws_ssm_parameter" "log_token" {
  name  = "/acme/log-shipper/token"
  type  = length(module.prod.group_names) > 1 ? "SecureString" : "String"
  value = join(",", [for n in module.prod.group_names : n if n != null])
}

resource "aws_ssm_parameter" "dev_token" {
  name  = "/acme/dev/token"
  type  = length(module.dev.group_names) > 1 ? "SecureString" : "String"
  value = "dev"
}
