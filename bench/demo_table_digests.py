"""Row counts and a digest of every table, to show a change to the demo loader leaves its rows as they were.

Load the demo into a fresh PostgreSQL database, run this, change the loader, load again into another fresh
database, run this again, and compare the two outputs (``diff``). Each table's digest is the MD5 of its rows' MD5s
in sorted order, so it does not depend on the order the rows were written in. Columns that hold the wall-clock time
of the load (not the demo's own dates) are left out, and so is the audit trail's chain of hashes over them.

    DATABASE_URL=postgres://... python bench/demo_table_digests.py > before.txt
"""

from __future__ import annotations

import os
import sys

import psycopg

# Columns written with the time the load ran, so they differ between two loads of the same demo.
# (Account passwords are hashed with a fresh salt each time.)
WALL_CLOCK_COLUMNS = {
    "auth_user": {"password"},
    "core_auditevent": {"at", "content_hash", "hash", "prev_hash"},
    "django_migrations": {"applied"},
    "quality_auditcase": {"audited_at"},
    "quality_auditround": {"created_at", "drawn_at", "override_at"},
    "quality_seriousfurtheroffence": {"created_at"},
    "quality_standardrating": {"rated_at"},
    "risk_riskcalculation": {"calculated_at"},
    # The tally is counted again from the rows at the end of the load: its ids depend on how many changes were
    # written to it before.
    "risk_riskfactstally": {"id"},
}


def digests(url: str) -> list[tuple[str, int, str]]:
    with psycopg.connect(url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 1")]
        out = []
        for table in tables:
            columns = [row[0] for row in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum", [table])]
            skip = WALL_CLOCK_COLUMNS.get(table, set())
            kept = ", ".join(f'"{c}"' for c in columns if c not in skip)
            query = (f"SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "  # noqa: S608
                     f'FROM (SELECT md5(t::text) AS h FROM (SELECT {kept} FROM "{table}") t) d')
            row = conn.execute(query).fetchone()
            assert row is not None
            out.append((table, int(row[0]), str(row[1])))
        return out


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to the database to digest.", file=sys.stderr)
        return 2
    for table, count, digest in digests(url):
        print(f"{table:<45} {count:>10} {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
