# Application role: writes its own logs, may tidy only its own log groups.
data "aws_iam_policy_document" "app_logs" {
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:us-east-1:123456789012:log-group:/app/orders:*"]
  }

  statement {
    sid       = "ReadOnlyEverywhere"
    actions   = ["logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "cloudtrail:LookupEvents"]
    resources = ["*"]
  }

  statement {
    sid       = "ManageOwnGroups"
    actions   = ["logs:DeleteLogGroup", "logs:PutRetentionPolicy"]
    resources = ["arn:aws:logs:us-east-1:123456789012:log-group:/app/orders-*"]
  }
}

resource "aws_iam_role_policy" "app_logs" {
  name   = "app-logs"
  role   = "orders-service"
  policy = data.aws_iam_policy_document.app_logs.json
}

# Platform policy that explicitly denies tampering everywhere.
resource "aws_iam_policy" "protect_audit" {
  name = "protect-audit-trail"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "DenyLogTampering"
        Effect   = "Deny"
        Action   = ["logs:DeleteLogGroup", "logs:PutRetentionPolicy", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
        Resource = "*"
      },
      {
        Sid      = "ReadTrail"
        Effect   = "Allow"
        Action   = ["cloudtrail:GetTrailStatus", "cloudtrail:DescribeTrails"]
        Resource = "*"
      }
    ]
  })
}

# Log resource policy for a named service principal, scoped to its log groups.
resource "aws_cloudwatch_log_resource_policy" "opensearch" {
  policy_name = "opensearch-logs"
  policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "es.amazonaws.com" }
      Action    = ["logs:PutLogEvents", "logs:CreateLogStream"]
      Resource  = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/*"
    }]
  })
}

# CI user may manage lifecycle rules of its artifact bucket only.
resource "aws_iam_user_policy" "ci" {
  name   = "ci-artifacts"
  user   = "ci-deployer"
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:PutLifecycleConfiguration", "s3:PutObject"],
      "Resource": ["arn:aws:s3:::acme-ci-artifacts", "arn:aws:s3:::acme-ci-artifacts/*"]
    }
  ]
}
POLICY
}
