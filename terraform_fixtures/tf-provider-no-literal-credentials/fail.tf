# Provider credentials pasted into the code.

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE" # soc2iac-expect: fail
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

provider "azurerm" {
  features {}
  subscription_id = "00000000-0000-0000-0000-000000000000"
  tenant_id       = "11111111-1111-1111-1111-111111111111"
  client_id       = "22222222-2222-2222-2222-222222222222"
  client_secret   = "Ex4mple~AzureClientSecret.Value_0123456789" # soc2iac-expect: fail
}

provider "google" {
  project     = "acme-prod"
  region      = "europe-west1"
  credentials = "{\"type\": \"service_account\", \"project_id\": \"acme-prod\", \"private_key_id\": \"0123456789abcdef\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCEXAMPLEFAKEKEY\\n-----END PRIVATE KEY-----\\n\", \"client_email\": \"terraform@acme-prod.iam.gserviceaccount.com\"}" # soc2iac-expect: fail
}

provider "kubernetes" {
  host                   = "https://k8s.example.com:6443"
  cluster_ca_certificate = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUNFWEFNUExFCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K"
  token                  = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkVYQU1QTEUifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6ZGVwbG95In0.EXAMPLE-SIGNATURE" # soc2iac-expect: fail
}

provider "helm" {
  kubernetes {
    host  = "https://k8s.example.com:6443"
    token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkVYQU1QTEUifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6aGVsbSJ9.EXAMPLE-SIGNATURE" # soc2iac-expect: fail
  }
}

provider "datadog" {
  api_url = "https://api.datadoghq.eu/"
  api_key = "0123456789abcdef0123456789abcdef" # soc2iac-expect: fail
  app_key = "0123456789abcdef0123456789abcdef01234567"
}

provider "github" {
  owner = "example-org"
  token = "ghp_EXAMPLE0EXAMPLE0EXAMPLE0EXAMPLE0EXAMPLE" # soc2iac-expect: fail
}
