"""The watermarking engine: per-recipient marks in PDF, DOCX, text and images, and the
reading of marks from a found copy. A pure library: no database."""
