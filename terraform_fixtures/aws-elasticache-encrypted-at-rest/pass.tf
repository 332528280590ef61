resource "aws_kms_key" "cache" {
  description         = "ElastiCache at-rest encryption"
  enable_key_rotation = true
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "User sessions"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.r7g.large"
  num_cache_clusters         = 2
  port                       = 6379
  parameter_group_name       = "default.redis7"
  subnet_group_name          = "cache-private"
  security_group_ids         = ["sg-0f1e2d3c4b5a69788"]
  automatic_failover_enabled = true
  multi_az_enabled           = true
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.cache.arn
  transit_encryption_enabled = true
  snapshot_retention_limit   = 7
}

# Valkey encrypts at rest by default.
resource "aws_elasticache_replication_group" "rate_limits" {
  replication_group_id       = "rate-limits"
  description                = "API rate limiting counters"
  engine                     = "valkey"
  engine_version             = "8.0"
  node_type                  = "cache.t4g.small"
  parameter_group_name       = "default.valkey8"
  num_node_groups            = 1
  replicas_per_node_group    = 1
  automatic_failover_enabled = true
  transit_encryption_enabled = true
}
