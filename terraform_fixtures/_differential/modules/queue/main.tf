variable "name" {
  type = string
}

variable "encryption" {
  description = "none, sqs or kms"
  type        = string
  default     = "sqs"
}

variable "kms_key_id" {
  type    = string
  default = null
}

variable "dead_letter" {
  type    = bool
  default = false
}

resource "aws_sqs_queue" "this" {
  name                    = var.name
  sqs_managed_sse_enabled = var.encryption == "sqs" ? true : (var.encryption == "kms" ? null : false)
  kms_master_key_id       = var.encryption == "kms" ? coalesce(var.kms_key_id, "alias/aws/sqs") : null
}

resource "aws_sqs_queue" "dlq" {
  count = var.dead_letter ? 1 : 0

  name                    = "${var.name}-dlq"
  sqs_managed_sse_enabled = false
}

output "arn" {
  value = aws_sqs_queue.this.arn
}
