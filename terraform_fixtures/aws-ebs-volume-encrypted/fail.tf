resource "aws_ebs_volume" "scratch" { # soc2iac-expect: fail
  availability_zone = "us-east-1b"
  size              = 500
  type              = "st1"

  tags = {
    Name = "etl-scratch"
  }
}

resource "aws_ebs_volume" "logs" {
  availability_zone = "us-east-1a"
  size              = 50
  type              = "gp3"
  encrypted         = false # soc2iac-expect: fail

  tags = {
    Name = "app-logs"
  }
}
