# Inline ingress: the whole node port range from anywhere.
resource "aws_security_group" "workers" {
  name   = "k8s-workers"
  vpc_id = "vpc-0abc1234"

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "NodePort services"
    from_port   = 30000
    to_port     = 32767
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # soc2iac-expect: fail
  }
}

# Inline ingress: all protocols (every port) from any IPv6 address.
resource "aws_security_group" "debug" {
  name   = "debug-open"
  vpc_id = "vpc-0abc1234"

  ingress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    ipv6_cidr_blocks = ["::/0"] # soc2iac-expect: fail
  }
}

# Standalone rule: a single node port published to the internet.
resource "aws_security_group_rule" "grafana_nodeport" {
  type              = "ingress"
  security_group_id = aws_security_group.workers.id
  from_port         = 30080
  to_port           = 30080
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8", "0.0.0.0/0"] # soc2iac-expect: fail
}

# VPC ingress rule: every TCP port from any IPv4 address.
resource "aws_vpc_security_group_ingress_rule" "all_tcp" {
  security_group_id = aws_security_group.workers.id
  cidr_ipv4         = "0.0.0.0/0" # soc2iac-expect: fail
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
}

# VPC ingress rule: all traffic from any IPv6 address.
resource "aws_vpc_security_group_ingress_rule" "all_v6" {
  security_group_id = aws_security_group.workers.id
  cidr_ipv6         = "::/0" # soc2iac-expect: fail
  ip_protocol       = "-1"
}
