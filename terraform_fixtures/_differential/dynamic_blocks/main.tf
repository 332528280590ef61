# dynamic blocks switched by variables; rules from a list of objects.
variable "access_logs" {
  type = map(string)
  default = {
    bucket = "acme-alb-logs"
  }
}

variable "internal_access_logs" {
  type    = map(string)
  default = {}
}

variable "ingress_rules" {
  type = list(object({
    from = number
    to   = number
    cidr = list(string)
  }))
  default = [
    { from = 443, to = 443, cidr = ["0.0.0.0/0"] },
    { from = 30000, to = 32767, cidr = ["10.0.0.0/8"] },
  ]
}

variable "public_nodeports" {
  type    = bool
  default = true
}

resource "aws_lb" "public" {
  name               = "acme-public"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]

  dynamic "access_logs" {
    for_each = length(var.access_logs) > 0 ? [var.access_logs] : []

    content {
      bucket  = access_logs.value.bucket
      enabled = try(access_logs.value.enabled, true)
      prefix  = try(access_logs.value.prefix, null)
    }
  }
}

resource "aws_lb" "internal" {
  name               = "acme-internal"
  internal           = true
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]

  dynamic "access_logs" {
    for_each = length(var.internal_access_logs) > 0 ? [var.internal_access_logs] : []

    content {
      bucket  = access_logs.value.bucket
      enabled = true
    }
  }
}

resource "aws_security_group" "nodes" {
  name   = "acme-nodes"
  vpc_id = "vpc-0a1b2c3d"

  dynamic "ingress" {
    for_each = var.ingress_rules
    iterator = rule

    content {
      from_port   = rule.value.from
      to_port     = rule.value.to
      protocol    = "tcp"
      cidr_blocks = rule.value.cidr
    }
  }
}

resource "aws_security_group" "open" {
  count = var.public_nodeports ? 1 : 0

  name   = "acme-open"
  vpc_id = "vpc-0a1b2c3d"

  dynamic "ingress" {
    for_each = range(30000, 30002)

    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
