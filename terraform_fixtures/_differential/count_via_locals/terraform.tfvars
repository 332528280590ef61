enabled      = false
env          = "prod"
volume_names = ["data", "logs"]
