# The same node port, with a NetworkPolicy that admits ingress to the web pods only from the
# ingress-nginx namespace.
resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    selector {
      match_labels = { app = "web" }
    }
    template {
      metadata {
        labels = { app = "web" }
      }
      spec {
        container {
          name  = "web"
          image = "ghcr.io/example/web:1.4.2"
        }
      }
    }
  }
}

resource "kubernetes_service_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    selector = { app = "web" }
    port {
      port        = 80
      target_port = 8080
    }
  }
}

resource "kubernetes_service_v1" "web_np" {
  metadata {
    name      = "web-np"
    namespace = "shop"
  }
  spec {
    type     = "NodePort"
    selector = { app = "web" }
    port {
      port      = 80
      node_port = 30080
    }
  }
}

resource "kubernetes_ingress_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    rule {
      host = "api.example.com"
      http {
        path {
          path = "/"
          backend {
            service {
              name = "web"
              port {
                number = 80
              }
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "web_from_ingress" {
  metadata {
    name      = "web-from-ingress"
    namespace = "shop"
  }
  spec {
    pod_selector {
      match_labels = { app = "web" }
    }
    policy_types = ["Ingress"]
    ingress {
      from {
        namespace_selector {
          match_expressions {
            key      = "kubernetes.io/metadata.name"
            operator = "In"
            values   = ["ingress-nginx"]
          }
        }
      }
    }
  }
}
