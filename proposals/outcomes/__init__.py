"""金钥匙: the published outcome page of a finished project, with residents' satisfaction."""
