# Shaped like terraform-aws-modules/alb: the policy comes from a variable without a value.
variable "listener_ssl_policy" {
  type        = string
  description = "Security policy for the HTTPS listener"
}

resource "aws_lb_listener" "from_variable" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.listener_ssl_policy
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}
