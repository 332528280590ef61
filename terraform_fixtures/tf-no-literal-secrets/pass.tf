# Secrets generated, managed by the service, or read from a secret store: nothing literal.

variable "grafana_admin_password" {
  description = "Grafana admin password, set by CI through TF_VAR_grafana_admin_password."
  type        = string
  sensitive   = true
}

variable "partner_api_key" {
  description = "Partner API key, set by CI."
  type        = string
  sensitive   = true
}

resource "aws_kms_key" "secrets" {
  description         = "application secrets"
  enable_key_rotation = true
}

# RDS generates and rotates the master password in Secrets Manager.
resource "aws_db_instance" "orders" {
  identifier                    = "orders"
  engine                        = "postgres"
  engine_version                = "15.4"
  instance_class                = "db.t3.medium"
  allocated_storage             = 50
  username                      = "orders_admin"
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.secrets.key_id
  storage_encrypted             = true
}

resource "random_password" "reporting" {
  length           = 32
  special          = true
  override_special = "!#%&*()-_=+[]<>:?"
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier = "reporting"
  engine             = "aurora-postgresql"
  database_name      = "reporting"
  master_username    = "reporting"
  master_password    = random_password.reporting.result
  storage_encrypted  = true
  kms_key_id         = aws_kms_key.secrets.arn
}

resource "aws_secretsmanager_secret" "reporting_db" {
  name                    = "prod/reporting/db"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "reporting_db" {
  secret_id = aws_secretsmanager_secret.reporting_db.id
  secret_string = jsonencode({
    username = "reporting"
    password = random_password.reporting.result
  })
}

data "aws_secretsmanager_secret_version" "redis_auth" {
  secret_id = "prod/sessions/redis-auth"
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "web session store"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  transit_encryption_enabled = true
  auth_token                 = data.aws_secretsmanager_secret_version.redis_auth.secret_string
}

resource "aws_ssm_parameter" "grafana_admin_password" {
  name   = "/prod/grafana/admin_password"
  type   = "SecureString"
  value  = var.grafana_admin_password
  key_id = aws_kms_key.secrets.arn
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = 14
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
  password_reuse_prevention      = 24
  max_password_age               = 90
}

resource "aws_cognito_user_pool" "customers" {
  name = "customers"
  password_policy {
    minimum_length                   = 12
    require_symbols                  = true
    temporary_password_validity_days = 3
  }
}

resource "aws_codebuild_project" "deploy" {
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
      name  = "GITHUB_TOKEN"
      value = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/github-token-AbCdEf"
      type  = "SECRETS_MANAGER"
    }
  }

  source {
    type     = "GITHUB"
    location = "https://github.com/example/deploy.git"
  }
}

resource "aws_cloudwatch_event_connection" "partner" {
  name               = "partner-webhook"
  authorization_type = "API_KEY"

  auth_parameters {
    api_key {
      key   = "x-api-key"
      value = var.partner_api_key
    }
  }
}

resource "helm_release" "grafana" {
  name       = "grafana"
  repository = "https://grafana.github.io/helm-charts"
  chart      = "grafana"

  set {
    name  = "admin.userKey"
    value = "admin-user"
  }

  set_sensitive {
    name  = "adminPassword"
    value = var.grafana_admin_password
  }
}

resource "tls_private_key" "deploy" {
  algorithm = "ED25519"
}

resource "aws_key_pair" "deploy" {
  key_name   = "deploy"
  public_key = tls_private_key.deploy.public_key_openssh
}

resource "google_secret_manager_secret" "db_password" {
  secret_id = "db-password"
  replication {
    auto {}
  }
}

resource "kubernetes_config_map" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  data = {
    LOG_LEVEL           = "info"
    TOKEN_TTL           = "3600"
    PASSWORD_MIN_LENGTH = "12"
    SESSION_SECRET_NAME = "web-session"
  }
}

resource "kubernetes_deployment" "worker" {
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
            name = "QUEUE_PASSWORD"
            value_from {
              secret_key_ref {
                name = "worker-queue"
                key  = "password"
              }
            }
          }
        }
      }
    }
  }
}

resource "helm_release" "grafana" {
  name       = "grafana"
  repository = "https://grafana.github.io/helm-charts"
  chart      = "grafana"

  set {
    name  = "admin.existingSecret"
    value = "grafana-admin"
  }
  set {
    name  = "persistence.enabled"
    value = "true"
  }
  set_sensitive {
    name  = "adminPassword"
    value = var.grafana_admin_password
  }
}

# An EFS creation token is an idempotency key, not a secret.
resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
  encrypted      = true
}

# Placeholders that stand for a secret filled in later are not secrets.
resource "kubernetes_deployment" "maps" {
  metadata {
    name = "maps"
  }
  spec {
    template {
      metadata {
        name = "maps"
      }
      spec {
        container {
          name  = "maps"
          image = "registry.example.com/maps:1.0"
          env {
            name  = "GOOGLE_API_KEY"
            value = "GOOGLE_API_KEY_VAL"
          }
          env {
            name  = "ADMIN_PASSWORD"
            value = "changeme"
          }
          env {
            name  = "PWD"
            value = "/srv/maps"
          }
        }
      }
    }
  }
}

# Base64 user data without secrets.
resource "aws_instance" "web" {
  ami              = "ami-0123456789abcdef0"
  instance_type    = "t3.micro"
  user_data_base64 = "IyEvYmluL2Jhc2gKZWNobyAiaGVsbG8gZnJvbSB1c2VyIGRhdGEiCg=="
}
