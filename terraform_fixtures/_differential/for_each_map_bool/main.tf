# each.value and each.key read per instance: one pass and one fail.
resource "aws_ebs_volume" "disks" {
  for_each = { a = true, b = false }

  availability_zone = "us-east-1a"
  size              = 8
  encrypted         = each.value
  tags = {
    Name = "disk-${each.key}"
  }
}

resource "aws_sqs_queue" "queues" {
  for_each = toset(["orders", "events"])

  name                    = each.key
  sqs_managed_sse_enabled = each.key == "orders"
}

resource "aws_sns_topic" "topics" {
  for_each = {
    billing = { key = "alias/aws/sns" }
    news    = { key = null }
  }

  name              = each.key
  kms_master_key_id = each.value.key
}
