resource "aws_sns_topic" "user_updates" { # soc2iac-expect: fail
  name         = "user-updates"
  display_name = "User updates"
}

resource "aws_sns_topic" "billing" {
  name              = "billing-events"
  kms_master_key_id = "" # soc2iac-expect: fail
}
