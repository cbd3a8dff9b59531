"""Where monitoring's alerts go: email through the mail outbox, signed webhooks, syslog/CEF
to a SIEM; routing by severity and to the secrets' owners; deliveries sent after the commit."""
