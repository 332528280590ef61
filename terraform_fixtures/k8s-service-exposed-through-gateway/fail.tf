resource "kubernetes_service_v1" "admin" {
  metadata {
    name      = "admin"
    namespace = "backoffice"
  }
  spec {
    type     = "LoadBalancer" # soc2iac-expect: fail
    selector = { app = "admin" }
    port {
      port        = 443
      target_port = 8443
    }
  }
}

resource "kubernetes_manifest" "metrics" {
  manifest = {
    apiVersion = "v1"
    kind       = "Service"
    metadata   = { name = "metrics", namespace = "backoffice" }
    spec = {
      type     = "NodePort" # soc2iac-expect: fail
      selector = { app = "exporter" }
      ports    = [{ port = 9100, nodePort = 30910 }]
    }
  }
}
