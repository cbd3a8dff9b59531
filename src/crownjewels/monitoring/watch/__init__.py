"""Departure watches (a departing person's last 90 days against their own baseline and their
peers', heightened thresholds until their last day, the report for HR and legal) and the
monthly log reviews of each secret's owner."""
