resource "azurerm_resource_group" "apps" {
  name     = "rg-apps-prod"
  location = "westeurope"
}

# retention_in_days left out: Azure keeps data for its default 30 days.
resource "azurerm_log_analytics_workspace" "apps" { # soc2iac-expect: fail
  name                = "log-apps-prod"
  location            = azurerm_resource_group.apps.location
  resource_group_name = azurerm_resource_group.apps.name
  sku                 = "PerGB2018"
}

resource "azurerm_log_analytics_workspace" "aks" {
  name                = "log-aks-prod"
  location            = azurerm_resource_group.apps.location
  resource_group_name = azurerm_resource_group.apps.name
  sku                 = "PerGB2018"
  retention_in_days   = 90 # soc2iac-expect: fail
}
