"""web: the page shell (layout, login with TOTP, dashboard) and static assets;
each capability adds its own pages."""
