resource "azurerm_resource_group" "data" {
  name     = "rg-data-prod"
  location = "westeurope"
}

resource "azurerm_storage_account" "data" {
  name                            = "acmedataprod"
  resource_group_name             = azurerm_resource_group.data.name
  location                        = azurerm_resource_group.data.location
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
}

# min_tls_version omitted: azurerm v3+ defaults to TLS1_2.
resource "azurerm_storage_account" "diag" {
  name                     = "acmediagprod"
  resource_group_name      = azurerm_resource_group.data.name
  location                 = azurerm_resource_group.data.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
