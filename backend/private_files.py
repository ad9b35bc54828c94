"""Files that hold secrets (var/dev-secrets.json, var/demo-accounts.txt): created readable by their owner
only from the first byte, never written wider and chmod-ed after, and replaced whole so a reader never
sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file with O_EXCL and mode 0600 in one call; os.replace makes it the file.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
