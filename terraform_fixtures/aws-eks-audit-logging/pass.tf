variable "cluster_name" {
  type    = string
  default = "prod-platform"
}

variable "cluster_enabled_log_types" {
  type    = list(string)
  default = ["audit", "api", "authenticator"]
}

resource "aws_cloudwatch_log_group" "eks" {
  name              = "/aws/eks/${var.cluster_name}/cluster"
  retention_in_days = 400
}

resource "aws_eks_cluster" "this" {
  name                      = var.cluster_name
  role_arn                  = "arn:aws:iam::111122223333:role/prod-platform-cluster"
  version                   = "1.30"
  enabled_cluster_log_types = var.cluster_enabled_log_types

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  depends_on = [aws_cloudwatch_log_group.eks]
}

resource "aws_eks_cluster" "tools" {
  name                      = "tools"
  role_arn                  = "arn:aws:iam::111122223333:role/tools-cluster"
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  }
}
