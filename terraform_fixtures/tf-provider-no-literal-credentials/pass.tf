# Providers that take their credentials from the environment, a profile, OIDC or a variable.

variable "datadog_api_key" {
  description = "Datadog API key, set by CI through TF_VAR_datadog_api_key."
  type        = string
  sensitive   = true
}

variable "datadog_app_key" {
  description = "Datadog application key, set by CI."
  type        = string
  sensitive   = true
}

variable "arm_client_id" {
  description = "Client id of the deployment workload identity."
  type        = string
}

provider "aws" {
  alias                    = "audit"
  region                   = "eu-west-1"
  profile                  = "audit"
  shared_config_files      = ["~/.aws/config"]
  shared_credentials_files = ["~/.aws/credentials"]

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/terraform-audit"
    session_name = "terraform"
    external_id  = "acme-audit"
  }
}

provider "aws" {
  alias  = "ci"
  region = "eu-west-1"

  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::123456789012:role/github-actions-deploy"
    session_name            = "github-actions"
    web_identity_token_file = "/var/run/secrets/oidc/token"
  }
}

provider "azurerm" {
  alias           = "oidc"
  features {}
  use_oidc        = true
  client_id       = var.arm_client_id
  tenant_id       = "11111111-1111-1111-1111-111111111111"
  subscription_id = "00000000-0000-0000-0000-000000000000"
}

provider "google" {
  alias       = "keyfile"
  project     = "acme-prod"
  region      = "europe-west1"
  credentials = file("terraform-sa.json")
}

provider "google-beta" {
  project     = "acme-prod"
  region      = "europe-west1"
  credentials = "/secrets/terraform-sa.json"
}

data "aws_eks_cluster" "main" {
  name = "main"
}

provider "kubernetes" {
  alias                  = "eks"
  host                   = data.aws_eks_cluster.main.endpoint
  cluster_ca_certificate = base64decode(data.aws_eks_cluster.main.certificate_authority[0].data)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", "main"]
  }
}

provider "datadog" {
  alias   = "eu"
  api_url = "https://api.datadoghq.eu/"
  api_key = var.datadog_api_key
  app_key = var.datadog_app_key
}

provider "vault" {
  address = "https://vault.example.com:8200"
}
