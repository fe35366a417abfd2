"""Where an uploaded spreadsheet waits between the import's preview and its confirmation.

On a single app server, in a folder of its own in the system's temporary folder: never under
`STATIC_ROOT` or any served path, removed once the import is confirmed, and, for previews that
were never confirmed (a file with errors, a closed tab), removed a day later by the next upload.
With several app servers the shared cache is used instead (`CACHE_URL`), whose entries expire.
"""

import os
import tempfile
import time
from pathlib import Path

from import_export.tmp_storages import TempFolderStorage

MAX_AGE_SECONDS = 24 * 60 * 60
PREFIX = "import-"


def import_folder() -> Path:
    return Path(tempfile.gettempdir()) / "pcmh-imports"


def remove_abandoned(now: float | None = None) -> int:
    """Delete uploads older than a day; how many were deleted."""
    cutoff = (now if now is not None else time.time()) - MAX_AGE_SECONDS
    removed = 0
    for path in import_folder().glob(f"{PREFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another app process removed it first
            continue
    return removed


class ImportFileStorage(TempFolderStorage):
    """django-import-export's temporary-folder storage, in our own folder and swept."""

    def get_full_path(self):
        return str(import_folder() / os.path.basename(self.name))

    def _open(self, mode="r"):
        if self.name:
            return open(self.get_full_path(), mode, encoding=self.encoding)
        remove_abandoned()
        folder = import_folder()
        folder.mkdir(mode=0o700, exist_ok=True)
        upload = tempfile.NamedTemporaryFile(delete=False, dir=folder, prefix=PREFIX)  # noqa: SIM115
        self.name = os.path.basename(upload.name)
        return upload
