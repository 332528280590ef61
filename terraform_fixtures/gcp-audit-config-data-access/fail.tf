# Only writes are logged: reads of customer data leave no trace.
resource "google_project_iam_audit_config" "app" {
  project = "acme-prod-app"
  service = "allServices"

  # the finding points at the audit_log_config blocks, where DATA_READ is missing
  audit_log_config { # soc2iac-expect: fail
    log_type = "ADMIN_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# All types on, but a service account is exempted from DATA_READ logging.
resource "google_folder_iam_audit_config" "prod" {
  folder  = "folders/987654321"
  service = "allServices"

  audit_log_config {
    log_type = "ADMIN_READ"
  }

  audit_log_config {
    log_type = "DATA_READ"
    exempted_members = [ # soc2iac-expect: fail
      "serviceAccount:etl@acme-prod-data.iam.gserviceaccount.com",
    ]
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
