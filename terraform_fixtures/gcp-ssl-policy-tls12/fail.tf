# min_tls_version omitted: the default is TLS_1_0.
resource "google_compute_ssl_policy" "default_min" { # soc2iac-expect: fail
  name    = "modern-default-min"
  project = "acme-prod"
  profile = "MODERN"
}

resource "google_compute_ssl_policy" "compatible" {
  name            = "compatible"
  project         = "acme-prod"
  profile         = "COMPATIBLE"
  min_tls_version = "TLS_1_1" # soc2iac-expect: fail
}

resource "google_compute_region_ssl_policy" "legacy" {
  name            = "legacy-clients"
  project         = "acme-prod"
  region          = "europe-west1"
  min_tls_version = "TLS_1_0" # soc2iac-expect: fail
}
