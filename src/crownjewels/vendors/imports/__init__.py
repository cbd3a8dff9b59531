"""Vendor profiles as a spreadsheet: the export of the list and the import of new vendors
(with their organisations), all or nothing."""
