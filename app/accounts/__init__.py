"""Accounts, memberships and roles."""
