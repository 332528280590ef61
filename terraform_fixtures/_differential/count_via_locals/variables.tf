variable "create" {
  type    = bool
  default = true
}

variable "enabled" {
  type    = bool
  default = true
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "env" {
  type    = string
  default = "dev"
}

variable "volume_names" {
  type    = list(string)
  default = ["a"]
}
