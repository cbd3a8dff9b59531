"""parties: organisations (us, vendors, partners) and people, and the application users
among them with their roles, passwords, TOTP and API tokens."""
