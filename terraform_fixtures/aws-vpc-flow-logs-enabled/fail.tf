# No flow log refers to this VPC.
resource "aws_vpc" "staging" { # soc2iac-expect: fail
  cidr_block           = "10.30.0.0/16"
  enable_dns_hostnames = true

  tags = {
    Name = "staging"
  }
}

# A flow log exists but records only accepted traffic.
resource "aws_vpc" "batch" { # soc2iac-expect: fail
  cidr_block = "10.40.0.0/16"
}

resource "aws_flow_log" "batch" {
  vpc_id               = aws_vpc.batch.id
  traffic_type         = "ACCEPT"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::acme-vpc-flow-logs"
}

# A flow log on one subnet does not cover the VPC.
resource "aws_vpc" "edge" { # soc2iac-expect: fail
  cidr_block = "10.50.0.0/16"
}

resource "aws_subnet" "edge_public" {
  vpc_id     = aws_vpc.edge.id
  cidr_block = "10.50.1.0/24"
}

resource "aws_flow_log" "edge_public" {
  subnet_id            = aws_subnet.edge_public.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::acme-vpc-flow-logs"
}
