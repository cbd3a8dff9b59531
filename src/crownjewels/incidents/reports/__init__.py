"""The report channel: anonymous or named reports of a suspected misuse of confidential
information, their follow-up by code and password, and the protection of reporters."""
