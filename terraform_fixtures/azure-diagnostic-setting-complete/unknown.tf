# Common module pattern: export every category the target supports, read at plan time.
data "azurerm_monitor_diagnostic_categories" "storage_blob" {
  resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data-prod/providers/Microsoft.Storage/storageAccounts/stdataprod/blobServices/default"
}

resource "azurerm_monitor_diagnostic_setting" "storage_blob" {
  name                       = "diag-stdataprod-blob"
  target_resource_id         = data.azurerm_monitor_diagnostic_categories.storage_blob.resource_id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring-prod/providers/Microsoft.OperationalInsights/workspaces/log-central-prod"

  dynamic "enabled_log" {
    for_each = data.azurerm_monitor_diagnostic_categories.storage_blob.log_category_types

    content {
      category = enabled_log.value
    }
  }
}
