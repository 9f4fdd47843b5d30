"""Migration 0110 on a database with data: users keep their accounts (session version 0), instances
get distinct random job ids."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from service.store import upgrade


def test_existing_rows_are_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0100")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO app_user (id, display_name, password_hash, active, created) "
                                 "VALUES ('a', 'A', 'h', 1, '2026-01-01 00:00:00')"))
            # Only the NOT NULL columns, with placeholder values: the migration cares about the rows' ids.
            columns = {c["name"]: c for c in sa.inspect(conn).get_columns("process_definition")}
            conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
            values = {name: (1 if "INT" in str(col["type"]).upper() or "BOOL" in str(col["type"]).upper()
                             else "x") for name, col in columns.items() if not col["nullable"]}
            conn.execute(sa.insert(sa.table("process_definition", *[sa.column(n) for n in values])),
                         [{**values, "id": "d1"}])
            pi_columns = {c["name"]: c for c in sa.inspect(conn).get_columns("process_instance")}
            required = {name: (1 if "INT" in str(col["type"]).upper() or "BOOL" in str(col["type"]).upper()
                               else "{}" if "JSON" in str(col["type"]).upper() else "2026-01-01 00:00:00"
                               if "DATE" in str(col["type"]).upper() else "x")
                        for name, col in pi_columns.items() if not col["nullable"]}
            table = sa.table("process_instance", *[sa.column(n) for n in required])
            for i in range(3):
                conn.execute(sa.insert(table), [{**required, "id": f"i{i}", "definition_id": "d1"}])
        upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT session_version FROM app_user")).scalar_one() == 0
            jobs = conn.execute(sa.text("SELECT job_id FROM process_instance")).scalars().all()
        assert len(jobs) == 3 and len(set(jobs)) == 3 and all(len(j) == 36 for j in jobs)
    finally:
        engine.dispose()
