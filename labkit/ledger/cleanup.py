"""Cleaning up after interrupted labs: the resources in their ledger files, and those carrying the tag,
of one owner's labs (or, for a trainer, every owner's)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

from .delete import CleanupError, delete_entries
from .owner import resolve_owner
from .records import check_lab_id, default_directory, entry_key, read_ledger_file, write_atomic
from .scan import scan_tagged


def cleanup(
    client_factory: Callable[[str], Any],
    lab_id: str | None = None,
    directory: pathlib.Path | None = None,
    where: str | None = None,
    *,
    owner: str | None = None,
    everyone: bool = False,
) -> list[str]:
    """Delete what interrupted labs left: resources in ledger files and resources carrying the lab tag.

    With `lab_id`, only that lab's ledger and tag value; without, every labkit lab (run it when no
    lab is open: it cannot tell a crashed lab from a live one). With `where`, only ledgers written
    against that backend are used.

    Only `owner`'s labs (by default `owner.default_owner()`, the caller's), unless `everyone`: on a
    shared account or server the other learners' labs are live. A resource tagged with another owner,
    or with a lab but no owner, is left, and the last line counts them, those with no owner apart: they
    are nobody's for sure (made by a kit from before owner tags, or tagged by hand), may be the caller's,
    and are what `everyone` (a trainer's clean-up, after the room has finished) would delete. A ledger
    file that records another owner is left too; one that records none predates owners and, being in
    the caller's directory, is the caller's.
    """
    directory = pathlib.Path(directory) if directory is not None else default_directory()
    owner = None if everyone else resolve_owner(owner)
    ledgers: dict[pathlib.Path, list[dict]] = {}
    if lab_id is not None:
        check_lab_id(lab_id)
        paths = [directory / f"{lab_id}.json"]
    else:
        paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    unreadable: list[str] = []
    lines: list[str] = []
    for path in paths:
        try:
            data = read_ledger_file(path)
        except ValueError as err:  # reported in one line and skipped; the other ledgers are still cleaned
            unreadable.append(f"skipped {_one_line(str(err))}")
            continue
        if not data or (where is not None and data.get("where") not in (None, where)):
            continue
        if owner is not None and data.get("owner") not in (None, owner):
            lines.append(f"not yours, left ledger {path} (owner {data['owner']})")
            continue
        ledgers[path] = list(data.get("entries", []))

    scan = scan_tagged(client_factory, lab_id, owner)
    scan_errors = unreadable + scan.errors
    entries: list[dict] = []
    seen: set[str] = set()
    for e in [e for es in ledgers.values() for e in es] + scan.found:
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
    not_yours = [tag for e, tag in scan.not_theirs if entry_key(e) not in seen]  # a ledger of yours may list some
    if not_yours:
        lines.append(_not_yours_line(not_yours))
    problems = scan_errors + [msg for _, msg in failed]
    if problems:
        raise CleanupError(problems, lines)
    return lines


def _not_yours_line(owner_tags: list[str | None]) -> str:
    """One line counting the labs' resources left because they are not the caller's."""
    others, none = sum(tag is not None for tag in owner_tags), sum(tag is None for tag in owner_tags)
    counts = [f"{n} {what}" for n, what in ((others, "of other owners"), (none, "with no owner tag")) if n]
    return (f"not yours, left: {' and '.join(counts)} (labkit resources; a trainer's "
            "`python -m labkit cleanup --everyone` deletes every owner's)")


def _one_line(text: str) -> str:
    return " ".join(text.split())
