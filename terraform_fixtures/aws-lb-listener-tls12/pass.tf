resource "aws_lb" "web" {
  name               = "web-public"
  load_balancer_type = "application"
  internal           = false
  security_groups    = ["sg-0a1b2c3d4e5f60718"]
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]
}

resource "aws_lb_target_group" "web" {
  name     = "web"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = "vpc-0a1b2c3d"
}

# HTTP listener that only redirects: no TLS, out of scope.
resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

variable "tls_policy" {
  type    = string
  default = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
}

resource "aws_lb" "grpc" {
  name               = "grpc-nlb"
  load_balancer_type = "network"
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]
}

resource "aws_lb_target_group" "grpc" {
  name     = "grpc"
  port     = 50051
  protocol = "TCP"
  vpc_id   = "vpc-0a1b2c3d"
}

resource "aws_lb_listener" "grpc_tls" {
  load_balancer_arn = aws_lb.grpc.arn
  port              = "443"
  protocol          = "tls"
  ssl_policy        = var.tls_policy
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"
  alpn_policy       = "HTTP2Preferred"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.grpc.arn
  }
}

resource "aws_alb_listener" "legacy_api" {
  load_balancer_arn = aws_lb.web.arn
  port              = 8443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-FS-1-2-Res-2020-10"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
