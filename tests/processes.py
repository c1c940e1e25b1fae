"""This test process's children, read from /proc (Linux): what the lifecycle and fault tests count."""

from __future__ import annotations

import os

TICKS = os.sysconf("SC_CLK_TCK")


def child_processes() -> dict[int, float]:
    """Each child process of this one (running or not yet reaped) and the CPU seconds it has used
    (/proc/<pid>/stat: field 4 is the parent, 14 and 15 the user and system clock ticks)."""
    me, found = os.getpid(), {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / TICKS
    return found
