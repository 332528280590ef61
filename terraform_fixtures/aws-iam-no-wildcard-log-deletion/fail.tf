# jsonencode: log cleanup on every log group.
resource "aws_iam_policy" "log_janitor" {
  name = "log-janitor"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ # soc2iac-expect: fail
      Effect   = "Allow"
      Action   = ["logs:DescribeLogGroups", "logs:DeleteLogGroup", "logs:PutRetentionPolicy"]
      Resource = "*"
    }]
  })
}

# data.aws_iam_policy_document: the deploy role may stop and re-scope every trail.
data "aws_iam_policy_document" "deployer" {
  statement {
    actions   = ["cloudformation:*"]
    resources = ["*"]
  }
  statement {
    actions   = ["cloudtrail:*"]
    resources = ["arn:aws:cloudtrail:*:123456789012:*"]
  }
}

resource "aws_iam_role_policy" "deployer" { # soc2iac-expect: fail
  name   = "deployer"
  role   = "github-actions-deployer"
  policy = data.aws_iam_policy_document.deployer.json
}

# Literal heredoc JSON (kept in a local): logs:* on all resources for an operators group.
locals {
  operators_logs_policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "LogsAdmin",
      "Effect": "Allow",
      "Action": "logs:*",
      "Resource": "*"
    }
  ]
}
EOT
}

resource "aws_iam_group_policy" "operators" {
  name   = "operators-logs"
  group  = "operators"
  policy = local.operators_logs_policy # soc2iac-expect: fail
}

# NotAction on every resource grants everything else, lifecycle rules on all buckets included.
resource "aws_iam_user_policy" "contractor" {
  name = "contractor"
  user = "contractor-jane"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ # soc2iac-expect: fail
      Effect    = "Allow"
      NotAction = ["iam:*", "organizations:*"]
      Resource  = "*"
    }]
  })
}

# Log resource policy that lets every principal delete log streams.
resource "aws_cloudwatch_log_resource_policy" "shared" {
  policy_name = "shared-logs"
  policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{ # soc2iac-expect: fail
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["logs:PutLogEvents", "logs:DeleteLogStream"]
      Resource  = "arn:aws:logs:us-east-1:123456789012:log-group:/shared/*"
    }]
  })
}
