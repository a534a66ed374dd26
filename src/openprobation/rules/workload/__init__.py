"""Workload: points per case, report and adjustment; available points from a grade and its hours; capacity;
reductions of hours. Policy data: ``policy/workload.toml`` (``policy.py``). The rules are written once
(``formulas.py``, over ``rules.ops``) and evaluated for one practitioner (``calculator.py``, the ``workload``
calculator) or for every practitioner at once (``batch.py``, polars columns). See docs/workload.md."""
