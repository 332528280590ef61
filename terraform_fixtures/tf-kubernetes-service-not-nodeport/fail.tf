resource "kubernetes_service_v1" "admin" {
  metadata {
    name      = "admin-console"
    namespace = "backoffice"
  }
  spec {
    selector = {
      app = "admin-console"
    }
    port {
      port        = 80
      target_port = 8080
      node_port   = 30080
    }
    type = "NodePort" # soc2iac-expect: fail
  }
}

resource "kubernetes_service" "grafana" {
  metadata {
    name      = "grafana"
    namespace = "monitoring"
  }
  spec {
    type = "NodePort" # soc2iac-expect: fail
    selector = {
      "app.kubernetes.io/name" = "grafana"
    }
    port {
      port        = 3000
      target_port = 3000
    }
  }
}
