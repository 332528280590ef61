variable "org_id" {
  type    = string
  default = "123456789012"
}

# retention_days left out: Cloud Logging keeps entries for 30 days.
resource "google_logging_project_bucket_config" "app" { # soc2iac-expect: fail
  project     = "acme-prod-app"
  location    = "global"
  bucket_id   = "app-logs"
  description = "Application logs"
}

resource "google_logging_organization_bucket_config" "org_default" {
  organization   = var.org_id
  location       = "global"
  bucket_id      = "_Default"
  retention_days = 30 # soc2iac-expect: fail
}

resource "google_logging_folder_bucket_config" "shared" {
  folder         = "folders/987654321"
  location       = "global"
  bucket_id      = "_Default"
  retention_days = 90 # soc2iac-expect: fail
}
