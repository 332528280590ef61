resource "azurerm_storage_account" "legacy" {
  name                     = "acmelegacyfiles"
  resource_group_name      = "rg-legacy"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  min_tls_version          = "TLS1_0" # soc2iac-expect: fail
}

resource "azurerm_storage_account" "exports" {
  name                     = "acmeexports"
  resource_group_name      = "rg-legacy"
  location                 = "westeurope"
  account_kind             = "StorageV2"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  min_tls_version          = "TLS1_1" # soc2iac-expect: fail
}
