# Security group rules from setproduct() of ports and CIDRs, subnets from cidrsubnet(),
# flow logs for the VPCs whose names match; node ports open to the world on one group only.
variable "vpc_cidrs" {
  type    = map(string)
  default = { shared = "10.10.0.0/16", sandbox = "10.20.0.0/16" }
}

variable "public_ports" {
  type    = list(number)
  default = [443, 30080]
}

variable "public_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0", "203.0.113.0/24"]
}

variable "internal_nodeports" {
  type    = bool
  default = false
}

locals {
  rules = {
    for pair in setproduct(var.public_ports, var.public_cidrs) :
    "${pair[0]}-${replace(pair[1], "/", "_")}" => { port = pair[0], cidr = pair[1] }
  }
  subnets   = { for name, cidr in var.vpc_cidrs : name => [for i in range(2) : cidrsubnet(cidr, 8, i)] }
  monitored = [for name in keys(var.vpc_cidrs) : name if !strcontains(name, "sand")]
}

resource "aws_vpc" "this" {
  for_each = var.vpc_cidrs

  cidr_block = each.value
}

resource "aws_subnet" "this" {
  for_each = { for s in flatten([for name, list in local.subnets : [for c in list : { vpc = name, cidr = c }]]) : s.cidr => s }

  vpc_id     = aws_vpc.this[each.value.vpc].id
  cidr_block = each.key
}

resource "aws_flow_log" "this" {
  for_each = toset(local.monitored)

  vpc_id               = aws_vpc.this[each.key].id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::acme-flow-logs"
}

resource "aws_security_group" "public" {
  name   = "acme-public"
  vpc_id = aws_vpc.this["shared"].id
}

resource "aws_security_group_rule" "public" {
  for_each = local.rules

  type              = "ingress"
  security_group_id = aws_security_group.public.id
  protocol          = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_blocks       = [each.value.cidr]
}

resource "aws_security_group_rule" "internal" {
  count = var.internal_nodeports ? 1 : 0

  type              = "ingress"
  security_group_id = aws_security_group.public.id
  protocol          = "tcp"
  from_port         = 30000
  to_port           = 32767
  cidr_blocks       = [cidrsubnet(var.vpc_cidrs["shared"], 0, 0)]
}

resource "aws_ssm_parameter" "db_password" {
  name  = "/acme/db/password"
  type  = "SecureString"
  value = sensitive(join("", ["not", "-a-real-", "secret"]))
}
