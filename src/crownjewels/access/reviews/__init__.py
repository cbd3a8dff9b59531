"""Access reviews: owners confirm or revoke every live grant of their secrets, by a due
date."""
