variable "audit_service" {
  type        = string
  description = "Service the audit config applies to (set by the caller)."
}

resource "google_project_iam_audit_config" "caller_defined" {
  project = "acme-prod-misc"
  service = var.audit_service

  audit_log_config {
    log_type = "DATA_READ"
  }
}
