"""The Django admin, an interface like the pages and the API: organisation set-up, accounts, API tokens and sign-in
blocks for administrators, every change audited; the audit trail read-only. It lives here, not in the domain apps,
so that no area imports an interface (the layers contract in pyproject.toml)."""
