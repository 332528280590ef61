# Literal secrets committed in resource arguments.

resource "aws_db_instance" "legacy" {
  identifier          = "legacy-orders"
  engine              = "postgres"
  engine_version      = "15.4"
  instance_class      = "db.t3.medium"
  allocated_storage   = 50
  username            = "orders_admin"
  password            = "Orders-Example-Pa55w0rd" # soc2iac-expect: fail
  storage_encrypted   = true
  skip_final_snapshot = true
}

resource "aws_rds_cluster" "reporting_legacy" {
  cluster_identifier = "reporting-legacy"
  engine             = "aurora-postgresql"
  database_name      = "reporting"
  master_username    = "reporting"
  master_password    = "ReportingExamplePassw0rd" # soc2iac-expect: fail
  storage_encrypted  = true
}

resource "aws_elasticache_replication_group" "sessions_legacy" {
  replication_group_id       = "sessions-legacy"
  description                = "web session store"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  transit_encryption_enabled = true
  auth_token                 = "example-redis-auth-token-0123456789" # soc2iac-expect: fail
}

resource "aws_secretsmanager_secret" "partner_api" {
  name = "prod/partner/api"
}

# The secret is stored in Secrets Manager, but its value is committed right here.
resource "aws_secretsmanager_secret_version" "partner_api" {
  secret_id = aws_secretsmanager_secret.partner_api.id
  secret_string = jsonencode({ # soc2iac-expect: fail
    client_id     = "partner-portal"
    client_secret = "example-partner-client-secret-value"
  })
}

resource "aws_mq_broker" "events" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.11.20"
  host_instance_type = "mq.t3.micro"

  user {
    username = "events"
    password = "EventsExamplePassw0rd" # soc2iac-expect: fail
  }
}

resource "aws_opensearch_domain" "logs" {
  domain_name    = "logs"
  engine_version = "OpenSearch_2.11"

  advanced_security_options {
    enabled                        = true
    internal_user_database_enabled = true
    master_user_options {
      master_user_name     = "admin"
      master_user_password = "LogsExampleMaster#2024" # soc2iac-expect: fail
    }
  }
}

resource "aws_iam_server_certificate" "legacy_lb" {
  name             = "legacy-lb"
  certificate_body = file("certs/legacy-lb.crt")
  # key pasted inline when the certificate was renewed
  private_key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAexampleexampleexampleexampleEXAMPLE\nfakefakefakefakefakefakefakefakeFAKE==\n-----END RSA PRIVATE KEY-----\n" # soc2iac-expect: fail
}

# No secret-looking argument name, but a high-confidence key format.
resource "aws_instance" "bastion" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  user_data     = "#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nyum install -y awscli\n" # soc2iac-expect: fail
}

resource "aws_codebuild_project" "deploy_legacy" {
  name         = "deploy"
  service_role = "arn:aws:iam::123456789012:role/codebuild-deploy"

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"

    environment_variable {
      name  = "GH_AUTH"
      value = "ghp_EXAMPLE0EXAMPLE0EXAMPLE0EXAMPLE0EXAMPLE" # soc2iac-expect: fail
    }
  }

  source {
    type     = "GITHUB"
    location = "https://github.com/example/deploy.git"
  }
}

resource "aws_cloudwatch_event_connection" "partner_legacy" {
  name               = "partner-webhook"
  authorization_type = "API_KEY"

  auth_parameters {
    api_key {
      key   = "x-api-key"
      value = "example-partner-api-key-0123456789" # soc2iac-expect: fail
    }
  }
}

resource "aws_cloudfront_distribution" "web" {
  enabled = true

  origin {
    domain_name = "origin.example.com"
    origin_id   = "web-origin"

    custom_header {
      name  = "X-Api-Key"
      value = "example-origin-shared-key-0123" # soc2iac-expect: fail
    }

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = "web-origin"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

resource "helm_release" "grafana_legacy" {
  name       = "grafana"
  repository = "https://grafana.github.io/helm-charts"
  chart      = "grafana"

  set_sensitive {
    name  = "adminUser"
    value = "example-grafana-admin" # soc2iac-expect: fail
  }
}

resource "github_actions_secret" "deploy" {
  repository      = "deploy"
  secret_name     = "SLACK_WEBHOOK_TOKEN"
  plaintext_value = "xoxb-EXAMPLE-0000000000-EXAMPLEEXAMPLE" # soc2iac-expect: fail
}

resource "azurerm_mssql_server" "app" {
  name                         = "app-sql"
  resource_group_name          = "app"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = "AppSqlExample!Passw0rd" # soc2iac-expect: fail
  minimum_tls_version          = "1.2"
}

resource "google_sql_user" "app" {
  name     = "app"
  instance = "app-pg"
  password = "GoogleSqlExamplePassw0rd" # soc2iac-expect: fail
}

resource "kubernetes_deployment" "worker_legacy" {
  metadata {
    name      = "worker"
    namespace = "jobs"
  }
  spec {
    selector {
      match_labels = { app = "worker" }
    }
    template {
      metadata {
        labels = { app = "worker" }
      }
      spec {
        container {
          name  = "worker"
          image = "registry.example.com/worker:1.4.2"
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name  = "QUEUE_PASSWORD"
            value = "QueueExamplePassw0rd" # soc2iac-expect: fail
          }
        }
      }
    }
  }
}

resource "helm_release" "postgres" {
  name       = "postgres"
  repository = "https://charts.bitnami.com/bitnami"
  chart      = "postgresql"

  set {
    name  = "auth.existingSecret"
    value = "postgres-credentials"
  }
  set {
    name  = "auth.postgresPassword"
    value = "Sup3rS3cretExample!" # soc2iac-expect: fail
  }
}

# A private key written into user data, base64-encoded (the form EC2 receives).
resource "aws_instance" "builder" {
  ami              = "ami-0123456789abcdef0"
  instance_type    = "t3.micro"
  user_data_base64 = "IyEvYmluL2Jhc2gKbWtkaXIgLXAgL3Jvb3QvLnNzaApjYXQgPiAvcm9vdC8uc3NoL2lkX3JzYSA8PCdLRVknCi0tLS0tQkVHSU4gUlNBIFBSSVZBVEUgS0VZLS0tLS0KTUlJRW93SUJBQUtDQVFFQWV4YW1wbGVFWEFNUExFZXhhbXBsZUZBS0VmYWtlRkFLRWZha2UwMTIzNDU2Nzg5Ci0tLS0tRU5EIFJTQSBQUklWQVRFIEtFWS0tLS0tCktFWQo=" # soc2iac-expect: fail
}

# The same, gzipped first as cloud-init's base64gzip() does.
resource "aws_launch_template" "builder" {
  name_prefix = "builder-"
  user_data   = "H4sIAAAAAAACA1NW1E/KzNNPSizO4MrNTsksUtAtUNAvys8v0dcrBoolJ5Yo2CEJ6GemxBcVJyrY2Kh7u0aqc+mCgJOru6efQlCwo0JAkGeYY4irAlAOLMPl6+npml/u6eTo6O3sGOjqmFqRmFuQk+oa4egb4OMK5bk5erumJWbDaQNDI2MTUzNzC0uI+a5+LthNBzK4AL0b+y7CAAAA" # soc2iac-expect: fail
}

# A PuTTY private key (.ppk), whatever the argument is called.
resource "local_sensitive_file" "jump_key" {
  filename = "jump.ppk"
  content  = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: jump\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExample\n" # soc2iac-expect: fail
}

# Secret env names spelled PASS / PWD.
resource "kubernetes_deployment" "legacy_db_clients" {
  metadata {
    name = "legacy-db-clients"
  }
  spec {
    template {
      metadata {
        name = "legacy-db-clients"
      }
      spec {
        container {
          name  = "client"
          image = "registry.example.com/client:2.0"
          env {
            name  = "DB_PASS_BD"
            value = "passx-example-literal" # soc2iac-expect: fail
          }
        }
      }
    }
  }
}
