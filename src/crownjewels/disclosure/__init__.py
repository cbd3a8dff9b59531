"""disclosure: every hand-out of a document, with its recipient's watermark (the marking
engine in `watermark`); registered copies, the ledger and the vendor portal build on it."""
