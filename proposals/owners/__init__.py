"""Owners' decisions (业主表决): the counting rule, kept free of the database."""
