"""The staff desk for people: verify residents and owners, grant roles, reset codes, audit."""
