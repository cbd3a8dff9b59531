"""The vendor portal: a vendor user's own grants, the notice they acknowledge, and their
watermarked downloads."""
