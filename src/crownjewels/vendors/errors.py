"""Vendor profile errors."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class VendorNotFound(NotFound):
    """No visible vendor profile with that ref, id or name."""


class ItemNotFound(NotFound):
    """No such certification, contact, country or subcontractor on this vendor."""


class DuplicateVendor(Conflict):
    """The organisation already has a vendor profile, or the item is already recorded."""


class StaleVendor(Conflict):
    """Someone changed the profile since it was read."""


class NotAVendor(Invalid):
    """The organisation is not of kind vendor."""


class BadStatusChange(Invalid):
    """A status change the lifecycle does not allow."""


class SubcontractorCycle(Invalid):
    """The subcontractor already (directly or through others) subcontracts to the vendor."""
