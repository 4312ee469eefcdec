"""`python -m tests.hung_secret_service`: own org.freedesktop.secrets on the session bus
(DBUS_SESSION_BUS_ADDRESS) and never answer a call, as a hung keyring daemon does. Prints
`ready` once the name is ours; exits when its standard input closes."""

from __future__ import annotations

import sys

from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.secrets"


def main() -> None:
    with open_dbus_connection(bus="SESSION") as conn:
        reply = conn.send_and_get_reply(message_bus.RequestName(NAME))
        assert reply.body[0] == 1, f"{NAME} is taken"  # 1: we are its primary owner
        print("ready", flush=True)
        sys.stdin.read()  # calls to the name pile up unanswered until then


if __name__ == "__main__":
    main()
