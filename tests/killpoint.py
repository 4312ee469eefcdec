"""`python -m tests.killpoint STEP WATCH ARGS…`: run `spectrum ARGS…` and SIGKILL it just before
its STEP-th filesystem operation under WATCH (0: before it starts at all).

The operations are the ones Python audits (opening, making folders, linking, renaming, removing,
chmod, flock), each seen before it happens, so every step of a write can be a kill point with no
timing involved. A run that finishes without reaching STEP exits 0 and prints `finished after N
steps` on stderr, so a caller can walk every kill point of a command."""

from __future__ import annotations

import os
import runpy
import signal
import sys

EVENTS = frozenset(
    {
        "open",
        "os.mkdir",
        "os.link",
        "os.rename",
        "os.remove",
        "os.rmdir",
        "os.chmod",
        "os.truncate",
        "tempfile.mkstemp",
        "fcntl.flock",
    }
)


def main() -> None:
    step, watch, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    seen = 0

    def under_watch(event_args: tuple[object, ...]) -> bool:
        paths = (a for a in event_args if isinstance(a, str | bytes | os.PathLike))
        return any(os.fsdecode(p).startswith(watch) for p in paths)

    def hook(event: str, event_args: tuple[object, ...]) -> None:
        nonlocal seen
        if event in EVENTS and (event == "fcntl.flock" or under_watch(event_args)):
            seen += 1
            if seen == step:
                os.kill(os.getpid(), signal.SIGKILL)

    if step == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    sys.addaudithook(hook)
    sys.argv = ["spectrum", *args]
    try:
        runpy.run_module("spectrum_cli", run_name="__main__")
    finally:
        print(f"finished after {seen} steps", file=sys.stderr)


if __name__ == "__main__":
    main()
