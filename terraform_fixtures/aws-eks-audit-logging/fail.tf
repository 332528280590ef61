# enabled_cluster_log_types left out: EKS sends no control plane logs.
resource "aws_eks_cluster" "dev" { # soc2iac-expect: fail
  name     = "dev"
  role_arn = "arn:aws:iam::111122223333:role/dev-cluster"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  }
}

# API server logs only: no audit trail of who did what.
resource "aws_eks_cluster" "data" {
  name                      = "data"
  role_arn                  = "arn:aws:iam::111122223333:role/data-cluster"
  enabled_cluster_log_types = ["api"] # soc2iac-expect: fail

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  }
}

# Audit without authenticator: audit entries cannot be tied to IAM principals.
resource "aws_eks_cluster" "ml" {
  name                      = "ml"
  role_arn                  = "arn:aws:iam::111122223333:role/ml-cluster"
  enabled_cluster_log_types = ["api", "audit"] # soc2iac-expect: fail

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  }
}
