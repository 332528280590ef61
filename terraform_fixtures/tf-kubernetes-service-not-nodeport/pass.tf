resource "kubernetes_service_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    selector = {
      app = "api"
    }
    port {
      port        = 80
      target_port = 8080
    }
    type = "ClusterIP"
  }
}

# No type: the provider and Kubernetes default is ClusterIP.
resource "kubernetes_service" "worker_metrics" {
  metadata {
    name      = "worker-metrics"
    namespace = "shop"
  }
  spec {
    selector = {
      app = "worker"
    }
    port {
      name        = "metrics"
      port        = 9102
      target_port = 9102
    }
  }
}
