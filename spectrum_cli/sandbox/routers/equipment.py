"""Equipment and remote restarts (back online 2 minutes later, on the sandbox clock)."""

from __future__ import annotations

import datetime as dt

from spectrum_cli.api import routes
from spectrum_cli.api.account import Equipment, EquipmentList
from spectrum_cli.sandbox.deps import AccountReader, DbDep, NowDep, SupportWriter
from spectrum_cli.sandbox.errors import APIError, not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.store import equipment as store

router = new_router(tags=["equipment"])
RESTART_TIME = dt.timedelta(minutes=2)


@router.get(routes.EQUIPMENT, response_model=EquipmentList)
def list_equipment(principal: AccountReader, db: DbDep, now: NowDep) -> EquipmentList:
    with db.read() as conn:
        return EquipmentList(data=store.equipment(conn, account_id=principal.account_id, now=now))


@router.post(routes.EQUIPMENT_RESTART, response_model=Equipment, status_code=202)
def restart(equipment_id: str, principal: SupportWriter, db: DbDep, now: NowDep) -> Equipment:
    """Start a restart: the device reports `restarting`, then `online` again."""
    account_id = principal.account_id
    with db.write() as conn:
        device = store.device(conn, account_id=account_id, equipment_id=equipment_id, now=now)
        if device is None:
            raise not_found("equipment", param="equipment_id")
        if device.status == "restarting":
            raise APIError(
                409,
                "conflict",
                "already_restarting",
                f"{device.model} is already restarting.",
                param="equipment_id",
            )
        return store.restart(conn, equipment_id=equipment_id, until=now + RESTART_TIME, now=now)
