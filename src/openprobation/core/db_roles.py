"""PostgreSQL roles: the service runs as a login role that does not own the tables, so it cannot alter the audit
trail, disable its triggers or truncate it (docs/how-to/database-roles.md).

The owner role runs `openprobation migrate`; with ``OPENPROBATION_DB_RUNTIME_ROLE`` set, every migrate then grants
the runtime role what the service needs and no more (``grant_runtime_role``): read and write on every table but the
audit trail, on which it may only read and add. UPDATE, DELETE and TRUNCATE of audit events, ALTER TABLE (so
DISABLE TRIGGER) and ``session_replication_role`` are reserved to the owner and superusers.
"""

from __future__ import annotations

from django.db import connection

from openprobation.core.errors import ValidationFailed

AUDIT_TABLE = "core_auditevent"


def grant_runtime_role(role: str) -> list[str]:
    """Grant ``role`` the service's privileges on this database; the statements run, for the log."""
    if connection.vendor != "postgresql":
        raise ValidationFailed.single("role", "Database roles apply to PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is not None:
            # Every role the runtime role is, or can become (its memberships, direct or through others), is checked.
            cursor.execute(
                "SELECT "
                " bool_or(r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls OR r.rolname IN "
                "         ('pg_write_server_files', 'pg_read_server_files', 'pg_execute_server_program')),"
                " bool_or(r.rolname = current_user) "
                "FROM pg_roles r WHERE pg_has_role(%s::oid, r.oid, 'MEMBER')",
                [found[0]],
            )
            found = cursor.fetchone()
        if found is None:
            raise ValidationFailed.single("role", f"There is no PostgreSQL role {role!r}: create it first "
                                                  "(CREATE ROLE … LOGIN PASSWORD …)")
        privileged, owner = found
        if privileged:
            raise ValidationFailed.single("role", f"{role!r} is, or can become, a superuser or a role that may create "
                                                  "roles, replicate, bypass row security or reach the server's files: "
                                                  "the service must run as an ordinary role")
        if owner:
            raise ValidationFailed.single("role", f"{role!r} is, or is a member of, the role running the migrations "
                                                  "(the tables' owner): the service must run as a different role")
        cursor.execute(
            "SELECT quote_ident(%s), quote_ident(current_schema()), quote_ident(current_database())", [role]
        )
        quoted_role, schema, database = cursor.fetchone()
        statements = [
            f"GRANT CONNECT ON DATABASE {database} TO {quoted_role}",
            # No temporary tables for anyone but the owner: a temporary table can shadow a table a function names.
            f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC",
            f"REVOKE TEMPORARY ON DATABASE {database} FROM {quoted_role}",
            f"GRANT USAGE ON SCHEMA {schema} TO {quoted_role}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {quoted_role}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted_role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted_role}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {schema}.{AUDIT_TABLE} FROM {quoted_role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted_role}",
        ]
        for statement in statements:
            cursor.execute(statement)
    return statements
