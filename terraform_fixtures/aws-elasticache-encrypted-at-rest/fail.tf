resource "aws_elasticache_replication_group" "catalog" { # soc2iac-expect: fail
  replication_group_id = "catalog-cache"
  description          = "Product catalog cache"
  node_type            = "cache.m6g.large"
  num_cache_clusters   = 2
  parameter_group_name = "default.redis7"
  port                 = 6379
}

resource "aws_elasticache_replication_group" "queue" {
  replication_group_id       = "job-queue"
  description                = "Background job queue"
  engine                     = "valkey"
  engine_version             = "7.2"
  node_type                  = "cache.t4g.medium"
  num_cache_clusters         = 1
  at_rest_encryption_enabled = false # soc2iac-expect: fail
}
