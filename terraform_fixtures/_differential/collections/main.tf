# merge/concat/flatten/keys/values/lookup/coalescelist/tomap/tolist over maps of lists and objects.
variable "defaults" {
  type = any
  default = {
    encrypted = true
    size      = 8
  }
}

variable "volumes" {
  type = any
  default = {
    app  = { size = 20 }
    tmp  = { encrypted = false }
    logs = {}
  }
}

variable "clusters" {
  type = map(list(string))
  default = {
    blue  = ["one", "two"]
    green = []
  }
}

variable "extra_members" {
  type    = list(string)
  default = []
}

locals {
  volumes = { for k, v in var.volumes : k => merge(var.defaults, v) }
  members = flatten([for c, ms in var.clusters : [for m in ms : { cluster = c, member = m }]])
  member_map = tomap({ for m in local.members : "${m.cluster}-${m.member}" => m })
  replicas = coalescelist(var.extra_members, values(var.clusters)[0])
  cluster_names = sort(keys(var.clusters))
}

resource "aws_ebs_volume" "this" {
  for_each = local.volumes

  availability_zone = "us-east-1a"
  size              = each.value.size
  encrypted         = each.value.encrypted
}

resource "aws_elasticache_replication_group" "members" {
  for_each = local.member_map

  replication_group_id       = each.key
  description                = "member ${each.value.member} of ${each.value.cluster}"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 1
  at_rest_encryption_enabled = each.value.member == "one"
}

resource "aws_rds_cluster" "by_name" {
  count = length(local.cluster_names)

  cluster_identifier          = local.cluster_names[count.index]
  engine                      = "aurora-mysql"
  master_username             = "admin"
  manage_master_user_password = true
  skip_final_snapshot         = true
  storage_encrypted           = local.cluster_names[count.index] != "green"
}

resource "aws_sqs_queue" "replicas" {
  for_each = toset(tolist(local.replicas))

  name                    = "replica-${each.value}"
  sqs_managed_sse_enabled = lookup({ one = true }, each.value, false)
}
