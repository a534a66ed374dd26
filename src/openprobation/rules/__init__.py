"""Pure rules: no Django, no database, no clock. Inputs are plain values; policy comes from ``policy/``."""
