"""Counting core for budget rounds: pabulib .pb reader/writer and the rules."""
from .pabulib import PbElection, PbFormatError, PbProject, PbVote, parse, read, write
from .rules import RULES, count, equal_shares, greedy, tally

__all__ = ["PbElection", "PbFormatError", "PbProject", "PbVote", "parse", "read",
           "write", "RULES", "count", "equal_shares", "greedy", "tally"]
