environments   = ["dev", "staging"]
retention_days = { dev = 1, staging = 90, prod = 400 }
