# Metrics only: no log category is exported.
resource "azurerm_monitor_diagnostic_setting" "app_service" { # soc2iac-expect: fail
  name                       = "diag-app-prod"
  target_resource_id         = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app-prod/providers/Microsoft.Web/sites/app-prod"
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring-prod/providers/Microsoft.OperationalInsights/workspaces/log-central-prod"

  enabled_metric {
    category = "AllMetrics"
  }
}

# Legacy log block explicitly disabled.
resource "azurerm_monitor_diagnostic_setting" "key_vault_legacy" {
  name                       = "diag-kv-legacy"
  target_resource_id         = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app-prod/providers/Microsoft.KeyVault/vaults/kv-legacy"
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring-prod/providers/Microsoft.OperationalInsights/workspaces/log-central-prod"

  log { # soc2iac-expect: fail
    category = "AuditEvent"
    enabled  = false

    retention_policy {
      enabled = false
    }
  }
}

# Logs selected, but no destination attribute is set.
resource "azurerm_monitor_diagnostic_setting" "nsg" { # soc2iac-expect: fail
  name               = "diag-nsg-web"
  target_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-prod/providers/Microsoft.Network/networkSecurityGroups/nsg-web"

  enabled_log {
    category = "NetworkSecurityGroupEvent"
  }
}
