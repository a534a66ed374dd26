"""Legacy OASys risk predictors: OGRS3, SNSV, OSP/DC, OSP/IIC, RSR, OVP, OGP (pure; see docs/risk-tools.md)."""
