"""Equipment and remote restarts (back online 2 minutes later, on the sandbox clock)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.api import routes
from spectrum_cli.api.account import Equipment, EquipmentList
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.deps import AccountReader, DbDep, NowDep, SupportWriter
from spectrum_cli.sandbox.errors import APIError, not_found
from spectrum_cli.sandbox.routing import new_router

router = new_router(tags=["equipment"])
RESTART_TIME = dt.timedelta(minutes=2)


def equipment_model(row: sqlite3.Row, now: dt.datetime) -> Equipment:
    until = clock.parse(row["restarting_until"]) if row["restarting_until"] else None
    restarting = until is not None and until > now
    return Equipment(
        id=row["id"],
        kind=row["kind"],
        model=row["model"],
        service_kind=row["service_kind"],
        monthly_fee_cents=row["monthly_fee_cents"],
        status="restarting" if restarting else row["status"],
        back_online_at=until if restarting else None,
    )


@router.get(routes.EQUIPMENT, response_model=EquipmentList)
def list_equipment(principal: AccountReader, db: DbDep, now: NowDep) -> EquipmentList:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT * FROM equipment WHERE account_id = ? ORDER BY rowid", (principal.account_id,)
        ).fetchall()
    return EquipmentList(data=[equipment_model(r, now) for r in rows])


@router.post(routes.EQUIPMENT_RESTART, response_model=Equipment, status_code=202)
def restart(equipment_id: str, principal: SupportWriter, db: DbDep, now: NowDep) -> Equipment:
    """Start a restart: the device reports `restarting`, then `online` again."""
    with db.write() as conn:
        row = conn.execute(
            "SELECT * FROM equipment WHERE id = ? AND account_id = ?",
            (equipment_id, principal.account_id),
        ).fetchone()
        if row is None:
            raise not_found("equipment", param="equipment_id")
        if equipment_model(row, now).status == "restarting":
            raise APIError(
                409,
                "conflict",
                "already_restarting",
                f"{row['model']} is already restarting.",
                param="equipment_id",
            )
        conn.execute(
            "UPDATE equipment SET restarting_until = ? WHERE id = ?",
            (clock.iso(now + RESTART_TIME), equipment_id),
        )
        row = conn.execute("SELECT * FROM equipment WHERE id = ?", (equipment_id,)).fetchone()
    return equipment_model(row, now)
