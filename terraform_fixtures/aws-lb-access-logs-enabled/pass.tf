resource "aws_s3_bucket" "lb_logs" {
  bucket = "acme-prod-lb-access-logs"
}

resource "aws_lb" "web" {
  name                       = "web-prod"
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = ["sg-0123456789abcdef0"]
  subnets                    = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  drop_invalid_header_fields = true
  enable_deletion_protection = true

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "web-prod"
    enabled = true
  }

  tags = {
    Environment = "prod"
  }
}

resource "aws_lb" "ingest" {
  name               = "ingest-nlb"
  load_balancer_type = "network"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "ingest-nlb"
    enabled = true
  }
}

# Gateway Load Balancers have no access logs: out of scope.
resource "aws_lb" "inspection" {
  name               = "inspection-gwlb"
  load_balancer_type = "gateway"
  subnets            = ["subnet-0a1b2c3d"]
}
