"""vault: keys and envelope encryption, streaming encryption of documents, blob stores.
Encrypted documents, versions, attachments, retention and crypto-shredding build on these."""
