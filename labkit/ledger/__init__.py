"""Everything a lab creates is tagged with the lab's id and written down, so it can all be deleted.

A `Ledger` hooks a boto3 client's botocore events: before a Create* call it adds the lab's tags
(``labkit:lab = <lab id>``, ``labkit:owner = <owner>``) in the format each API expects, and after a
successful call it records what was created in ``{directory}/{lab_id}.json``. `Ledger.delete_all`
deletes the recorded resources in dependency order; `cleanup` also finds tagged resources an
interrupted lab left behind, of its owner's labs only unless asked for everyone's. On real AWS this
is what keeps a learner's bill at zero.

Botocore events: https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html

The package has one module per concern: `tags` (the tags added to Create* calls), `owner` (whose labs
these are), `records` (the `Ledger` and its JSON file), `scan` (finding tagged resources), `delete`
(deleting in dependency order) and `cleanup` (what interrupted labs left).
"""

from .cleanup import cleanup
from .delete import CleanupError, count_deleted
from .owner import default_owner
from .records import Ledger, default_directory, read_ledger_file
from .tags import OWNER_KEY, TAG_KEY

__all__ = ["OWNER_KEY", "TAG_KEY", "CleanupError", "Ledger", "cleanup", "count_deleted", "default_directory",
           "default_owner", "read_ledger_file"]
