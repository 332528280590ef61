# No access_logs block at all (type defaults to application).
resource "aws_lb" "internal_api" { # soc2iac-expect: fail
  name            = "internal-api"
  internal        = true
  security_groups = ["sg-0123456789abcdef0"]
  subnets         = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
}

# Bucket given but enabled left out: the provider default is false, nothing is logged.
resource "aws_alb" "legacy" {
  name    = "legacy-alb"
  subnets = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  access_logs { # soc2iac-expect: fail
    bucket = "acme-prod-lb-access-logs"
    prefix = "legacy"
  }
}

# Explicitly switched off.
resource "aws_lb" "partner_nlb" {
  name               = "partner-nlb"
  load_balancer_type = "network"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  access_logs {
    bucket  = "acme-prod-lb-access-logs"
    enabled = false # soc2iac-expect: fail
  }
}
