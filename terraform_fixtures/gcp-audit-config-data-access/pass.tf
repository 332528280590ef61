variable "org_id" {
  type    = string
  default = "123456789012"
}

resource "google_organization_iam_audit_config" "all" {
  org_id  = var.org_id
  service = "allServices"

  audit_log_config {
    log_type = "ADMIN_READ"
  }

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

resource "google_project_iam_audit_config" "payments" {
  project = "acme-prod-payments"
  service = "allServices"

  audit_log_config {
    log_type = "DATA_WRITE"
  }

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "ADMIN_READ"
  }
}

# A single-service config only adds to the allServices one: not judged on its own.
resource "google_project_iam_audit_config" "storage" {
  project = "acme-prod-payments"
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
}
