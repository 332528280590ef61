# No domain_endpoint_options at all: the TLS policy is not declared.
resource "aws_opensearch_domain" "analytics" { # soc2iac-expect: fail
  domain_name    = "analytics"
  engine_version = "OpenSearch_2.11"

  cluster_config {
    instance_type = "t3.small.search"
  }

  ebs_options {
    ebs_enabled = true
    volume_size = 10
  }
}

resource "aws_opensearch_domain" "audit" {
  domain_name    = "audit"
  engine_version = "OpenSearch_2.11"

  cluster_config {
    instance_type = "r6g.large.search"
  }

  ebs_options {
    ebs_enabled = true
    volume_size = 50
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-0-2019-07" # soc2iac-expect: fail
  }
}

resource "aws_elasticsearch_domain" "metrics" {
  domain_name           = "metrics"
  elasticsearch_version = "7.10"

  cluster_config {
    instance_type = "m6g.large.elasticsearch"
  }

  ebs_options {
    ebs_enabled = true
    volume_size = 20
  }

  domain_endpoint_options {
    enforce_https       = false # soc2iac-expect: fail
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }
}

# Block present but only the custom endpoint is configured.
resource "aws_opensearch_domain" "portal" {
  domain_name    = "portal"
  engine_version = "OpenSearch_2.11"

  cluster_config {
    instance_type = "r6g.large.search"
  }

  ebs_options {
    ebs_enabled = true
    volume_size = 20
  }

  domain_endpoint_options { # soc2iac-expect: fail
    enforce_https                   = true
    custom_endpoint_enabled         = true
    custom_endpoint                 = "search.example.com"
    custom_endpoint_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d6a3c1e-5b8f-4c2d-9e7a-1f2b3c4d5e6f"
  }
}
