# Shaped like terraform-google-modules/lb-http with the ssl_policy input left at null.
variable "ssl_policy" {
  type    = string
  default = null
}

resource "google_compute_target_https_proxy" "default" {
  name             = "lb-https-proxy"
  url_map          = "projects/acme-prod/global/urlMaps/lb"
  ssl_certificates = ["projects/acme-prod/global/sslCertificates/lb"]
  ssl_policy       = var.ssl_policy # soc2iac-expect: fail
  quic_override    = "NONE"
}

resource "google_compute_target_ssl_proxy" "smtps" { # soc2iac-expect: fail
  name             = "smtps"
  backend_service  = "projects/acme-prod/global/backendServices/smtp"
  ssl_certificates = ["projects/acme-prod/global/sslCertificates/mail"]
}

resource "google_compute_region_target_https_proxy" "regional" { # soc2iac-expect: fail
  name             = "regional-https"
  region           = "us-central1"
  url_map          = "projects/acme-prod/regions/us-central1/urlMaps/regional"
  ssl_certificates = ["projects/acme-prod/regions/us-central1/sslCertificates/regional"]
}
