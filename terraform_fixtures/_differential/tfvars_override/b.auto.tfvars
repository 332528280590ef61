environments = ["dev", "staging", "prod"]
