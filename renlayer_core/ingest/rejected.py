"""Records the store refused for good (not an outage): kept on disk, never dropped silently.

Same framing as the spill file (``spill.frame``), without the magic header, appended and
fsynced one record at a time: refusals are rare, and each is logged as an error.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from renlayer_core.ingest.spill import frame

log = logging.getLogger("renlayer.ingest")


class RejectedFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, payload: bytes) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, frame(payload))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            log.error("cannot write rejected records to '%s': %s", self.path, exc.strerror)
            return False
        return True
