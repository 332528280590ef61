# The name depends on a variable without a value: whether it holds a secret cannot be known.

variable "parameter_name" {
  type = string
}

resource "aws_ssm_parameter" "dynamic" {
  name  = var.parameter_name
  type  = "String"
  value = "placeholder"
}
