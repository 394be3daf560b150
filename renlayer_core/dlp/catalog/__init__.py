"""The built-in DLP catalog: every detector type RenLayer ships, in a stable order.

Order is category (secret, fin, pii, net, health), then the order of each module's
``DETECTORS`` tuple; ids never change once released (tenants' detectors refer to them).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from renlayer_core.dlp.catalog import fin, health, net, pii, secrets
from renlayer_core.dlp.spec import DetectorSpec
from renlayer_core.errors import NotFound

CATALOG: Final[tuple[DetectorSpec, ...]] = (
    *secrets.DETECTORS,
    *fin.DETECTORS,
    *pii.DETECTORS,
    *net.DETECTORS,
    *health.DETECTORS,
)

BY_ID: Final[Mapping[str, DetectorSpec]] = MappingProxyType({d.id: d for d in CATALOG})


def get(detector_id: str) -> DetectorSpec:
    """The catalog entry for ``detector_id``; `NotFound` when there is none."""
    try:
        return BY_ID[detector_id]
    except KeyError:
        raise NotFound(f"no detector type {detector_id!r} in the catalog") from None


__all__ = ["BY_ID", "CATALOG", "get"]
