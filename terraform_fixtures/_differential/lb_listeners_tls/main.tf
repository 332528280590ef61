# Listeners from a map of objects; lookup() defaults; a TLS 1.0 policy on one of them.
variable "listeners" {
  type = any
  default = {
    https = { port = 443, protocol = "HTTPS", ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" }
    legacy = { port = 8443, protocol = "HTTPS", ssl_policy = "ELBSecurityPolicy-2016-08" }
    default_policy = { port = 9443, protocol = "HTTPS" }
    http = { port = 80, protocol = "HTTP" }
  }
}

variable "certificate_arn" {
  type    = string
  default = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"
}

variable "create_nlb" {
  type    = bool
  default = false
}

locals {
  secure = { for k, v in var.listeners : k => v if upper(v.protocol) != "HTTP" }
}

resource "aws_lb" "this" {
  name               = "acme-alb"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]
}

resource "aws_lb_target_group" "app" {
  name     = "app"
  port     = 80
  protocol = "HTTP"
  vpc_id   = "vpc-0a1b2c3d"
}

resource "aws_lb_listener" "this" {
  for_each = var.listeners

  load_balancer_arn = aws_lb.this.arn
  port              = each.value.port
  protocol          = each.value.protocol
  ssl_policy        = contains(keys(local.secure), each.key) ? lookup(each.value, "ssl_policy", "ELBSecurityPolicy-2016-08") : null
  certificate_arn   = each.value.protocol == "HTTPS" ? var.certificate_arn : null

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb" "nlb" {
  count = var.create_nlb ? 1 : 0

  name               = "acme-nlb"
  load_balancer_type = "network"
  subnets            = ["subnet-0a1b2c3d"]
}

resource "aws_lb_listener" "tls" {
  count = var.create_nlb ? 1 : 0

  load_balancer_arn = aws_lb.nlb[0].arn
  port              = 8883
  protocol          = "TLS"
  ssl_policy        = "ELBSecurityPolicy-TLS-1-0-2015-04"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
