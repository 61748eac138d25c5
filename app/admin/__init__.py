"""Site administration: setting up communities."""
