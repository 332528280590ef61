resource "azurerm_log_analytics_workspace" "central" {
  name                = "log-central-prod"
  location            = "westeurope"
  resource_group_name = "rg-monitoring-prod"
  sku                 = "PerGB2018"
  retention_in_days   = 400
}

resource "azurerm_key_vault" "app" {
  name                     = "kv-app-prod"
  location                 = "westeurope"
  resource_group_name      = "rg-app-prod"
  tenant_id                = "00000000-0000-0000-0000-000000000000"
  sku_name                 = "standard"
  purge_protection_enabled = true
}

resource "azurerm_monitor_diagnostic_setting" "key_vault" {
  name                       = "diag-kv-app-prod"
  target_resource_id         = azurerm_key_vault.app.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.central.id

  enabled_log {
    category_group = "audit"
  }

  enabled_metric {
    category = "AllMetrics"
  }
}

# azurerm 3.x legacy log block: enabled defaults to true.
resource "azurerm_monitor_diagnostic_setting" "sql" {
  name               = "diag-sql-prod"
  target_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data-prod/providers/Microsoft.Sql/servers/sql-prod/databases/master"
  storage_account_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring-prod/providers/Microsoft.Storage/storageAccounts/stauditprod"

  log {
    category = "SQLSecurityAuditEvents"

    retention_policy {
      enabled = true
      days    = 400
    }
  }

  metric {
    category = "AllMetrics"
    enabled  = false

    retention_policy {
      enabled = false
    }
  }
}
