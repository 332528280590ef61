resource "azurerm_resource_group" "db" {
  name     = "rg-db-prod"
  location = "westeurope"
}

resource "azurerm_mssql_server" "orders" {
  name                          = "sql-orders-prod"
  resource_group_name           = azurerm_resource_group.db.name
  location                      = azurerm_resource_group.db.location
  version                       = "12.0"
  minimum_tls_version           = "1.2"
  public_network_access_enabled = false

  azuread_administrator {
    login_username              = "sql-admins"
    object_id                   = "00000000-0000-0000-0000-000000000001"
    azuread_authentication_only = true
  }
}

# minimum_tls_version omitted: the azurerm default is "1.2".
resource "azurerm_mssql_server" "reporting" {
  name                = "sql-reporting-prod"
  resource_group_name = azurerm_resource_group.db.name
  location            = azurerm_resource_group.db.location
  version             = "12.0"

  azuread_administrator {
    login_username              = "sql-admins"
    object_id                   = "00000000-0000-0000-0000-000000000001"
    azuread_authentication_only = true
  }
}
