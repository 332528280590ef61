resource "azurerm_linux_web_app" "shop" {
  name                = "app-shop"
  resource_group_name = "rg-web"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Web/serverFarms/asp-linux"

  site_config {
    minimum_tls_version = "1.0" # soc2iac-expect: fail

    application_stack {
      php_version = "8.2"
    }
  }
}

# The app is fine but the SCM (Kudu) deployment site still accepts TLS 1.1.
resource "azurerm_windows_web_app" "intranet" {
  name                = "app-intranet"
  resource_group_name = "rg-web"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Web/serverFarms/asp-win"

  site_config {
    minimum_tls_version     = "1.2"
    scm_minimum_tls_version = "1.1" # soc2iac-expect: fail
  }
}

resource "azurerm_windows_function_app_slot" "staging" {
  name                 = "staging"
  function_app_id      = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Web/sites/func-billing"
  storage_account_name = "acmefuncbilling"

  site_config {
    minimum_tls_version = "1.1" # soc2iac-expect: fail
  }
}

resource "azurerm_app_service" "old_portal" {
  name                = "app-old-portal"
  location            = "westeurope"
  resource_group_name = "rg-web"
  app_service_plan_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Web/serverFarms/asp-legacy"

  site_config {
    dotnet_framework_version = "v4.0"
    min_tls_version          = "1.0" # soc2iac-expect: fail
  }
}
