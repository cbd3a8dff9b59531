"""The signed-in person's own account: the settings page and the verbs it calls."""
