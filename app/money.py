"""The column type of money: integer fen, 64-bit everywhere.

PostgreSQL's INTEGER stops at 21 million yuan, below a city's budget (Warsaw 2026:
24 million złoty) and below what the money field accepts; SQLite's INTEGER is already
64-bit, and keeping it declared INTEGER there leaves its tables as they were.
"""
from sqlalchemy import BigInteger, Integer

Fen = BigInteger().with_variant(Integer(), "sqlite")
