resource "google_compute_ssl_policy" "modern" {
  name            = "modern-tls12"
  project         = "acme-prod"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

# RESTRICTED enables only TLS 1.2+ cipher suites, so TLS 1.2 is required in effect.
resource "google_compute_ssl_policy" "restricted" {
  name    = "restricted"
  project = "acme-prod"
  profile = "RESTRICTED"
}

resource "google_compute_region_ssl_policy" "internal" {
  name            = "internal-tls13"
  project         = "acme-prod"
  region          = "europe-west1"
  profile         = "RESTRICTED"
  min_tls_version = "TLS_1_3"
}
