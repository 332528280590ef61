# count.index and comparisons against variable defaults.
variable "n" {
  type    = number
  default = 5
}

variable "sizes" {
  type    = list(number)
  default = [10, 20, 30]
}

resource "aws_ebs_volume" "v" {
  count = length(var.sizes)

  availability_zone = "us-east-1a"
  size              = var.sizes[count.index]
  encrypted         = count.index == 0
}

resource "aws_cloudwatch_log_group" "g" {
  count = var.n > 3 ? 2 : 0

  name              = "/acme/g${count.index}"
  retention_in_days = count.index == 0 ? 365 : 7
}

resource "aws_cloudwatch_log_group" "big" {
  count = var.n > 10 ? 1 : 0

  name = "/acme/big"
}

resource "aws_db_instance" "db" {
  count = min(var.n, 2)

  identifier          = "db-${count.index}"
  engine              = "mysql"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "admin"
  manage_master_user_password = true
  skip_final_snapshot = true
  storage_encrypted   = element([true, false], count.index)
}
