variable "project_id" {
  type    = string
  default = "acme-prod-logging"
}

resource "google_logging_project_bucket_config" "default" {
  project        = var.project_id
  location       = "global"
  bucket_id      = "_Default"
  retention_days = 400
}

resource "google_logging_project_bucket_config" "audit" {
  project        = var.project_id
  location       = "europe-west1"
  bucket_id      = "audit-logs"
  description    = "Audit logs routed from every project in the organization"
  retention_days = 3650
  locked         = true
}
