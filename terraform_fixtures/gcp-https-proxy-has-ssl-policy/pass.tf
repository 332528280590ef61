resource "google_compute_ssl_policy" "tls12" {
  name            = "tls12-modern"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_managed_ssl_certificate" "web" {
  name = "web-cert"

  managed {
    domains = ["www.example.com"]
  }
}

resource "google_compute_url_map" "web" {
  name            = "web"
  default_service = "projects/acme-prod/global/backendServices/web"
}

resource "google_compute_target_https_proxy" "web" {
  name             = "web-https"
  url_map          = google_compute_url_map.web.id
  ssl_certificates = [google_compute_managed_ssl_certificate.web.id]
  ssl_policy       = google_compute_ssl_policy.tls12.id
}

resource "google_compute_target_ssl_proxy" "imaps" {
  name             = "imaps"
  backend_service  = "projects/acme-prod/global/backendServices/imap"
  ssl_certificates = [google_compute_managed_ssl_certificate.web.id]
  ssl_policy       = google_compute_ssl_policy.tls12.self_link
}

resource "google_compute_region_ssl_policy" "internal" {
  name            = "internal-restricted"
  region          = "europe-west1"
  profile         = "RESTRICTED"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_region_target_https_proxy" "internal" {
  name             = "internal-https"
  region           = "europe-west1"
  url_map          = "projects/acme-prod/regions/europe-west1/urlMaps/internal"
  ssl_certificates = ["projects/acme-prod/regions/europe-west1/sslCertificates/internal"]
  ssl_policy       = google_compute_region_ssl_policy.internal.id
}
