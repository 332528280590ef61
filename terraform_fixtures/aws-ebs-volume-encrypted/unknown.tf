variable "encrypt_volumes" {
  description = "Whether data volumes are encrypted"
  type        = bool
}

resource "aws_ebs_volume" "cache" {
  availability_zone = "us-east-1c"
  size              = 100
  encrypted         = var.encrypt_volumes
}
