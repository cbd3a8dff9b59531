"""notifications: the one mail outbox of every capability (a row per message, sent after the
commit, retried, visible to admins) and each person's choice of the kinds they receive."""
