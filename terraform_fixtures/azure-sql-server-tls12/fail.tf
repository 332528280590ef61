variable "sql_admin_password" {
  type      = string
  sensitive = true
}

resource "azurerm_mssql_server" "legacy" {
  name                         = "sql-legacy"
  resource_group_name          = "rg-legacy"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_admin_password
  minimum_tls_version          = "1.0" # soc2iac-expect: fail
}

# "Disabled" accepts every TLS version.
resource "azurerm_mssql_server" "vendor" {
  name                         = "sql-vendor"
  resource_group_name          = "rg-legacy"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_admin_password
  minimum_tls_version          = "Disabled" # soc2iac-expect: fail
}

resource "azurerm_mssql_managed_instance" "erp" {
  name                         = "sqlmi-erp"
  resource_group_name          = "rg-legacy"
  location                     = "westeurope"
  license_type                 = "BasePrice"
  sku_name                     = "GP_Gen5"
  storage_size_in_gb           = 32
  subnet_id                    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sqlmi"
  vcores                       = 4
  administrator_login          = "miadmin"
  administrator_login_password = var.sql_admin_password
  minimum_tls_version          = 1.1 # soc2iac-expect: fail
}
