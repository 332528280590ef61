resource "aws_lb" "public" {
  name               = "public-alb"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]
}

resource "aws_lb_target_group" "app" {
  name     = "app"
  port     = 80
  protocol = "HTTP"
  vpc_id   = "vpc-0a1b2c3d"
}

# ssl_policy omitted: AWS applies ELBSecurityPolicy-2016-08 (TLS 1.0) to API-created listeners.
resource "aws_lb_listener" "https_default_policy" { # soc2iac-expect: fail
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

# The policy from the provider's own example: still TLS 1.0.
resource "aws_lb_listener" "https_2016" {
  load_balancer_arn = aws_lb.public.arn
  port              = 8443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08" # soc2iac-expect: fail
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_alb_listener" "admin" {
  load_balancer_arn = aws_lb.public.arn
  port              = 9443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS-1-1-2017-01" # soc2iac-expect: fail
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb" "mqtt" {
  name               = "mqtt-nlb"
  load_balancer_type = "network"
  subnets            = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]
}

resource "aws_lb_target_group" "mqtt" {
  name     = "mqtt"
  port     = 1883
  protocol = "TCP"
  vpc_id   = "vpc-0a1b2c3d"
}

# TLS 1.3-capable but still accepts TLS 1.0.
resource "aws_lb_listener" "mqtt_tls" {
  load_balancer_arn = aws_lb.mqtt.arn
  port              = 8883
  protocol          = "TLS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-0-2021-06" # soc2iac-expect: fail
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.mqtt.arn
  }
}

resource "aws_lb_listener" "mqtt_fs" {
  load_balancer_arn = aws_lb.mqtt.arn
  port              = 8884
  protocol          = "TLS"
  ssl_policy        = "ELBSecurityPolicy-FS-2018-06" # soc2iac-expect: fail
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.mqtt.arn
  }
}
