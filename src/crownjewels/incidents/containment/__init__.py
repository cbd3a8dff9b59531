"""Containment in one action: a case's preview of every change (grants, logins, tokens,
sessions, the vendor, legal holds, compromised copies, heightened monitoring), its run in one
transaction and its reversal."""
