environments       = ["ignored"]
encrypted_envs     = ["prod", "staging"]
trail_multi_region = true
