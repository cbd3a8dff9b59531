"""Canary tokens: traps that call home to the public /c/<token> (a URL, an image, a DOCX, a
PDF) or honey strings a scan finds; each belongs to a secret and maybe one recipient's copy."""
