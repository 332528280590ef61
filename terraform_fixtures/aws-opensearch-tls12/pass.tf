resource "aws_opensearch_domain" "logs" {
  domain_name    = "app-logs"
  engine_version = "OpenSearch_2.13"

  cluster_config {
    instance_type          = "r6g.large.search"
    instance_count         = 3
    zone_awareness_enabled = true
  }

  ebs_options {
    ebs_enabled = true
    volume_size = 100
    volume_type = "gp3"
  }

  encrypt_at_rest {
    enabled = true
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
  }
}

# enforce_https omitted inside the block: the provider default is true.
resource "aws_elasticsearch_domain" "search" {
  domain_name           = "legacy-search"
  elasticsearch_version = "7.10"

  cluster_config {
    instance_type = "m6g.large.elasticsearch"
  }

  ebs_options {
    ebs_enabled = true
    volume_size = 20
  }

  domain_endpoint_options {
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }
}
