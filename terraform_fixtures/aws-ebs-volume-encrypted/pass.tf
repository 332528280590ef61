resource "aws_kms_key" "ebs" {
  description         = "EBS data volumes"
  enable_key_rotation = true
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 200
  type              = "gp3"
  iops              = 3000
  throughput        = 125
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn

  tags = {
    Name = "db-data"
  }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = "i-0123456789abcdef0"
}
