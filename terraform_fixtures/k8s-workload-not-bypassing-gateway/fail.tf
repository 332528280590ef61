# The web pods are routed by an Ingress and an HTTPRoute (kubernetes_manifest), and also
# published on a node port whose selector refers to the Deployment's labels.
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
          port {
            container_port = 8080
          }
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
    type     = "NodePort" # soc2iac-expect: fail
    selector = kubernetes_deployment_v1.web.spec[0].template[0].metadata[0].labels
    port {
      port        = 80
      target_port = 8080
      node_port   = 30080
    }
  }
}

resource "kubernetes_ingress_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    ingress_class_name = "nginx"
    rule {
      host = "api.example.com"
      http {
        path {
          path = "/"
          backend {
            service {
              name = kubernetes_service_v1.web.metadata[0].name
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

# A Deployment on the host network behind an HTTPRoute.
resource "kubernetes_manifest" "agent_route" {
  manifest = {
    apiVersion = "gateway.networking.k8s.io/v1"
    kind       = "HTTPRoute"
    metadata   = { name = "agent", namespace = "shop" }
    spec = {
      parentRefs = [{ name = "public", namespace = "gateway-system" }]
      hostnames  = ["agent.example.com"]
      rules      = [{ backendRefs = [{ name = "agent", port = 80 }] }]
    }
  }
}

resource "kubernetes_service_v1" "agent" {
  metadata {
    name      = "agent"
    namespace = "shop"
  }
  spec {
    selector = { app = "agent" }
    port {
      port = 80
    }
  }
}

resource "kubernetes_daemon_set_v1" "agent" {
  metadata {
    name      = "agent"
    namespace = "shop"
  }
  spec {
    selector {
      match_labels = { app = "agent" }
    }
    template {
      metadata {
        labels = { app = "agent" }
      }
      spec {
        host_network = true # soc2iac-expect: fail
        container {
          name  = "agent"
          image = "ghcr.io/example/agent:0.3.0"
        }
      }
    }
  }
}
