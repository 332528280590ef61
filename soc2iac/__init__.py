"""soc2iac: SOC 2 policy-as-code checks for infrastructure code and live clusters."""

__version__ = "0.1.0"
