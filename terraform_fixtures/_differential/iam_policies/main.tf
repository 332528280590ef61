# IAM policies built with jsonencode(), for expressions and merge(); one grants log deletion on "*".
variable "log_group_arns" {
  type    = list(string)
  default = ["arn:aws:logs:us-east-1:123456789012:log-group:/acme/app:*"]
}

variable "admin_actions" {
  type    = list(string)
  default = ["logs:DeleteLogGroup", "logs:PutRetentionPolicy"]
}

variable "grant_admin" {
  type    = bool
  default = true
}

locals {
  read_statement = {
    Sid      = "Read"
    Effect   = "Allow"
    Action   = ["logs:GetLogEvents", "logs:FilterLogEvents"]
    Resource = var.log_group_arns
  }
  admin_statements = [for a in var.admin_actions : {
    Sid      = replace(title(replace(a, ":", " ")), " ", "")
    Effect   = "Allow"
    Action   = a
    Resource = "*"
  }]
}

resource "aws_iam_policy" "reader" {
  name = "acme-log-reader"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.read_statement]
  })
}

resource "aws_iam_policy" "admin" {
  count = var.grant_admin ? 1 : 0

  name = "acme-log-admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat([local.read_statement], local.admin_statements)
  })
}

resource "aws_iam_policy" "scoped" {
  for_each = toset(var.admin_actions)

  name = "acme-${replace(each.key, ":", "-")}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [merge(local.read_statement, {
      Sid      = "Scoped"
      Action   = [each.key]
      Resource = var.log_group_arns
    })]
  })
}

resource "aws_iam_policy" "heredoc" {
  name   = "acme-heredoc"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "cloudtrail:StopLogging",
          "Resource": "${var.grant_admin ? "*" : var.log_group_arns[0]}"
        }
      ]
    }
  EOT
}
