# terraform-aws-modules/alb style: the block is generated from a variable.
variable "alb_access_logs" {
  type        = map(string)
  description = "Access log settings passed by the caller."
}

resource "aws_lb" "this" {
  name               = "module-alb"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  dynamic "access_logs" {
    for_each = length(var.alb_access_logs) > 0 ? [var.alb_access_logs] : []

    content {
      bucket  = access_logs.value.bucket
      enabled = try(access_logs.value.enabled, true)
      prefix  = try(access_logs.value.prefix, null)
    }
  }
}
