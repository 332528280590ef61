variable "min_tls_version" {
  type        = string
  description = "Minimum TLS version for the storage account"
}

resource "azurerm_storage_account" "configurable" {
  name                     = "acmeconfigurable"
  resource_group_name      = "rg-shared"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  min_tls_version          = var.min_tls_version
}
