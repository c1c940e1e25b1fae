"""Cleaning up after interrupted labs: the resources in their ledger files, and those carrying the tag."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

from .delete import CleanupError, delete_entries
from .records import check_lab_id, default_directory, entry_key, read_ledger_file, write_atomic
from .scan import scan_tagged


def cleanup(
    client_factory: Callable[[str], Any],
    lab_id: str | None = None,
    directory: pathlib.Path | None = None,
    where: str | None = None,
) -> list[str]:
    """Delete what interrupted labs left: resources in ledger files and resources carrying the lab tag.

    With `lab_id`, only that lab's ledger and tag value; without, every labkit lab (run it when no
    lab is open: it cannot tell a crashed lab from a live one). With `where`, only ledgers written
    against that backend are used.
    """
    directory = pathlib.Path(directory) if directory is not None else default_directory()
    ledgers: dict[pathlib.Path, list[dict]] = {}
    if lab_id is not None:
        check_lab_id(lab_id)
        paths = [directory / f"{lab_id}.json"]
    else:
        paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    unreadable: list[str] = []
    for path in paths:
        try:
            data = read_ledger_file(path)
        except ValueError as err:  # reported in one line and skipped; the other ledgers are still cleaned
            unreadable.append(f"skipped {_one_line(str(err))}")
            continue
        if data and (where is None or data.get("where") in (None, where)):
            ledgers[path] = list(data.get("entries", []))

    lines: list[str] = []
    found, scan_errors = scan_tagged(client_factory, lab_id)
    scan_errors = unreadable + scan_errors
    entries: list[dict] = []
    seen: set[str] = set()
    for e in [e for es in ledgers.values() for e in es] + found:
        if entry_key(e) not in seen:
            seen.add(entry_key(e))
            entries.append(e)
    deleted, failed = delete_entries(entries, client_factory)
    lines += deleted
    failed_keys = {entry_key(e) for e, _ in failed}
    for path, es in ledgers.items():
        left = [e for e in es if entry_key(e) in failed_keys]
        if left:
            write_atomic(path, dict(read_ledger_file(path), entries=left))
        else:
            path.unlink(missing_ok=True)
            lines.append(f"removed ledger {path}")
    problems = scan_errors + [msg for _, msg in failed]
    if problems:
        raise CleanupError(problems, lines)
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())
