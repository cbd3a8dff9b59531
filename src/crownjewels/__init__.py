"""Crown Jewels: protects trade secrets shared with vendors, contractors and partners."""

__version__ = "0.1.0"
