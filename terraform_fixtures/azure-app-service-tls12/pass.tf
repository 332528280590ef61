resource "azurerm_resource_group" "web" {
  name     = "rg-web-prod"
  location = "westeurope"
}

resource "azurerm_service_plan" "web" {
  name                = "asp-web-prod"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "portal" {
  name                = "app-portal-prod"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_service_plan.web.location
  service_plan_id     = azurerm_service_plan.web.id
  https_only          = true

  site_config {
    minimum_tls_version     = "1.2"
    scm_minimum_tls_version = "1.2"
    ftps_state              = "Disabled"
    http2_enabled           = true

    application_stack {
      node_version = "20-lts"
    }
  }
}

# Both TLS settings omitted: the azurerm defaults are "1.2".
resource "azurerm_windows_web_app" "backoffice" {
  name                = "app-backoffice-prod"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location
  service_plan_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web-prod/providers/Microsoft.Web/serverFarms/asp-win-prod"
  https_only          = true

  site_config {
    always_on = true
  }
}

resource "azurerm_linux_function_app" "jobs" {
  name                       = "func-jobs-prod"
  resource_group_name        = azurerm_resource_group.web.name
  location                   = azurerm_resource_group.web.location
  service_plan_id            = azurerm_service_plan.web.id
  storage_account_name       = "acmefuncjobs"
  storage_account_access_key = azurerm_storage_account.jobs.primary_access_key

  site_config {
    minimum_tls_version = "1.3"

    application_stack {
      python_version = "3.11"
    }
  }
}

# Legacy resource (azurerm < 4.0).
resource "azurerm_app_service" "legacy_api" {
  name                = "app-legacy-api"
  location            = azurerm_resource_group.web.location
  resource_group_name = azurerm_resource_group.web.name
  app_service_plan_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web-prod/providers/Microsoft.Web/serverFarms/asp-legacy"

  site_config {
    min_tls_version = "1.2"
    ftps_state      = "FtpsOnly"
  }
}
