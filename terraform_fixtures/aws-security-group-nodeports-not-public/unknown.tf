# The port range comes from a variable without a default: cannot be decided statically.
variable "exposed_port" {
  type = number
}

resource "aws_security_group_rule" "exposed" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  from_port         = var.exposed_port
  to_port           = var.exposed_port
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
