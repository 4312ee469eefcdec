"""Exit statuses: a published contract (README), never renumbered."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    PERMISSION = 4
    NOT_FOUND = 5
    CONFLICT = 6
    PAYMENT = 7
    UNREACHABLE = 8
    GUARD = 9
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM: `timeout`, a supervisor, a shutdown
