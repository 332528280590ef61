resource "azurerm_resource_group" "monitoring" {
  name     = "rg-monitoring-prod"
  location = "westeurope"
}

resource "azurerm_log_analytics_workspace" "security" {
  name                = "log-security-prod"
  location            = azurerm_resource_group.monitoring.location
  resource_group_name = azurerm_resource_group.monitoring.name
  sku                 = "PerGB2018"
  retention_in_days   = 400
  daily_quota_gb      = -1

  tags = {
    environment = "prod"
    purpose     = "siem"
  }
}
