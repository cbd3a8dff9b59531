"""Other systems' activity in monitoring's event format: AWS CloudTrail, Microsoft 365 audit
exports, CEF, and a syslog listener (RFC 5424 over TCP and UDP)."""
