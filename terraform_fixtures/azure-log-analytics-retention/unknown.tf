variable "workspace_retention_days" {
  type        = number
  description = "Retention of the shared workspace; set per environment."
}

resource "azurerm_log_analytics_workspace" "shared" {
  name                = "log-shared"
  location            = "westeurope"
  resource_group_name = "rg-shared"
  sku                 = "PerGB2018"
  retention_in_days   = var.workspace_retention_days
}
