"""Whose labs these are: the owner a lab tags what it creates with (``labkit:owner``), so that on a
shared account or server one learner's clean-up deletes only that learner's labs.

The owner is `$LABKIT_OWNER`, else `$JUPYTERHUB_USER` (JupyterHub sets it in every user's server:
https://jupyterhub.readthedocs.io/en/stable/reference/spawners.html#environment-variables-and-command-line-arguments),
else the operating system's user name.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import string
from collections.abc import Mapping

# A tag value: at most 256 characters. Every tagging service takes the standard set: A-Z, a-z, 0-9, space
# and _ . : / = + @ - (some take more Unicode), and a value must not start with "aws:" (reserved).
# https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
# https://docs.aws.amazon.com/personalize/latest/dg/personalize-managing-tags.html ("the standard set")
TAG_VALUE_MAX = 256
_STANDARD = frozenset(string.ascii_letters + string.digits + " _.:/=+@-")
_OWNER = re.compile(r"^(?![aA][wW][sS]:)[A-Za-z0-9 _.:/=+@-]{1,256}$")


def fit_tag_value(text: str) -> str:
    """`text` as a tag value every tagging service takes: a character outside the standard set (and "=",
    the escape) is written ``=XX`` per UTF-8 byte, so two different names stay two different owners."""
    fitted = "".join(c if c in _STANDARD and c != "=" else
                     "".join(f"={b:02X}" for b in c.encode("utf-8", "surrogatepass")) for c in text)
    if fitted[:4].lower() == "aws:":
        fitted = fitted[:3] + "=3A" + fitted[4:]
    if len(fitted) > TAG_VALUE_MAX:  # a digest of the whole name keeps long names apart
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        fitted = fitted[:TAG_VALUE_MAX - 9] + "+" + digest
    return fitted


def default_owner(environ: Mapping[str, str] | None = None) -> str:
    """The owner of the labs this process runs: $LABKIT_OWNER, else $JUPYTERHUB_USER, else the OS user,
    fitted to a tag value (`fit_tag_value`). An empty or blank variable counts as unset."""
    env = os.environ if environ is None else environ
    for name in ("LABKIT_OWNER", "JUPYTERHUB_USER"):
        value = (env.get(name) or "").strip()
        if value:
            return fit_tag_value(value)
    try:
        user = getpass.getuser().strip()
    except (OSError, KeyError):  # a container's uid with no passwd entry and no $USER
        user = ""
    if not user and hasattr(os, "getuid"):
        user = f"uid-{os.getuid()}"
    return fit_tag_value(user or "unknown")


def check_owner(owner: str) -> str:
    """An owner given in code, as it is: refused (ValueError naming `owner`) unless it is a tag value."""
    if not isinstance(owner, str) or not _OWNER.match(owner):
        raise ValueError("owner must be 1-256 of A-Z a-z 0-9 space _ . : / = + @ - and not start with 'aws:' "
                         f"(it is a tag value); got {owner!r}")
    return owner


def resolve_owner(owner: str | None) -> str:
    """`owner` checked (`check_owner`), or the default owner when it is None."""
    return default_owner() if owner is None else check_owner(owner)
