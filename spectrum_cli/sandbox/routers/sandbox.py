"""Sandbox control: personas, the clock, the outbox, faults and reset.

Everything here needs the sandbox admin key, except the persona list, which leaves out the
passwords without it: the outbox holds every reset code, so this is a master key.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Response

from spectrum_cli.api import routes
from spectrum_cli.api.account import Outage
from spectrum_cli.api.sandbox import (
    ClockState,
    ClockUpdate,
    FaultList,
    FaultRule,
    FaultSet,
    OutageCreate,
    OutboxList,
    Persona,
    PersonaList,
)
from spectrum_cli.sandbox import clock, outages, seed
from spectrum_cli.sandbox.deps import DbDep, SandboxKeyGiven, require_sandbox_key
from spectrum_cli.sandbox.errors import invalid
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import mask_account_number, new_id
from spectrum_cli.sandbox.store import outbox
from spectrum_cli.sandbox.store import sandbox as store
from spectrum_cli.sandbox.store import support as support_store
from spectrum_cli.sandbox.store import users as users_store
from spectrum_cli.sandbox.store.support import OutageRow

router = new_router(tags=["sandbox"])
controls = new_router(tags=["sandbox"], dependencies=[Depends(require_sandbox_key)])


@router.get(routes.SANDBOX_PERSONAS, response_model=PersonaList)
def personas(db: DbDep, with_passwords: SandboxKeyGiven) -> PersonaList:
    with db.read() as conn:
        rows = users_store.personas(conn)
    return PersonaList(
        data=[
            Persona(
                username=r.username,
                password=r.password if with_passwords else None,
                role=r.role,  # type: ignore[arg-type]
                summary=r.summary,
                second_factor=r.mfa_channel,  # type: ignore[arg-type]
                account_number_masked=mask_account_number(r.account_number),
            )
            for r in rows
        ]
    )


def _clock_state(db: DbDep) -> ClockState:
    with db.read() as conn:
        return ClockState(now=clock.now(conn), offset_seconds=clock.offset(conn))


@controls.get(routes.SANDBOX_CLOCK, response_model=ClockState)
def get_clock(db: DbDep) -> ClockState:
    return _clock_state(db)


@controls.post(routes.SANDBOX_CLOCK, response_model=ClockState)
def move_clock(body: ClockUpdate, db: DbDep) -> ClockState:
    with db.write() as conn:
        current = clock.now(conn)
        if body.set_to is not None:
            target = body.set_to if body.set_to.tzinfo else body.set_to.replace(tzinfo=dt.UTC)
            seconds = int((target - current).total_seconds())
            if seconds < 0:
                raise invalid(
                    "clock_backwards",
                    "The sandbox clock only moves forward; reset to start over.",
                    param="set_to",
                )
        else:
            seconds = body.advance_seconds or 0
        if clock.offset(conn) + seconds > clock.MAX_OFFSET_SECONDS:
            raise invalid(
                "clock_out_of_range",
                f"Sandbox time stays within {clock.MAX_OFFSET_YEARS} years of real time; "
                "reset to start over.",
                param="set_to" if body.set_to is not None else "advance_seconds",
            )
        clock.advance(conn, seconds=seconds)
    return _clock_state(db)


@controls.get(routes.SANDBOX_OUTBOX, response_model=OutboxList)
def list_outbox(
    db: DbDep,
    to: Annotated[
        str | None, Query(max_length=254, description="Only messages to this address.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OutboxList:
    with db.read() as conn:
        rows = outbox.messages(conn, to=to or None, limit=limit + 1)
    return OutboxList(data=rows[:limit], has_more=len(rows) > limit)


@controls.get(routes.SANDBOX_FAULTS, response_model=FaultList)
def list_faults(db: DbDep) -> FaultList:
    with db.read() as conn:
        rules = store.fault_rules(conn)
    return FaultList(data=[FaultRule(**rule) for rule in rules])


@controls.put(routes.SANDBOX_FAULTS, response_model=FaultList)
def set_faults(body: FaultSet, db: DbDep) -> FaultList:
    with db.write() as conn:
        store.replace_fault_rules(
            conn, rules=[(rule.model_dump_json(), rule.times) for rule in body.faults]
        )
    return list_faults(db)


@controls.delete(routes.SANDBOX_FAULTS, status_code=204, response_class=Response)
def clear_faults(db: DbDep) -> Response:
    with db.write() as conn:
        store.replace_fault_rules(conn, rules=[])
    return Response(status_code=204)


@controls.post(routes.SANDBOX_RESET, status_code=204, response_class=Response)
def reset(db: DbDep) -> Response:
    """Erase everything and seed the personas again, with the clock back at real time."""
    with db.write() as conn:
        store.erase(conn, tables=seed.RESET_TABLES)
        seed.seed(conn, now=clock.now(conn))
    return Response(status_code=204)


@controls.post(routes.SANDBOX_OUTAGES, response_model=Outage, status_code=201)
def raise_outage(body: OutageCreate, db: DbDep) -> Outage:
    """Start an outage for every account whose service address has this ZIP code."""
    with db.write() as conn:
        now = clock.now(conn)
        outage = OutageRow(
            id=new_id("out"),
            zip=body.zip,
            services=list(body.services),
            message=body.message,
            started_at=now,
            estimated_restore_at=now + dt.timedelta(minutes=body.restore_in_minutes),
        )
        support_store.insert_outage(conn, outage=outage)
    return outages.outage_model(outage, now)


@controls.delete(routes.SANDBOX_OUTAGES, status_code=204, response_class=Response)
def end_outages(db: DbDep) -> Response:
    """End every outage now."""
    with db.write() as conn:
        support_store.end_outages(conn)
    return Response(status_code=204)


router.include_router(controls)
