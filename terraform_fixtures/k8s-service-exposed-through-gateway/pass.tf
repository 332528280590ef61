resource "kubernetes_service_v1" "billing" {
  metadata {
    name      = "billing"
    namespace = "billing"
    annotations = {
      "service.beta.kubernetes.io/azure-load-balancer-internal" = "true"
    }
  }
  spec {
    type     = "LoadBalancer"
    selector = { app = "billing" }
    port {
      port = 443
    }
  }
}

resource "kubernetes_service" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    selector = { app = "api" }
    port {
      port = 80
    }
  }
}
