"""Oversight workflows: verifiable expert draws, "double random, one public" inspections,
complaints under MOF Order No. 94 and post-project ratings.

The rules are plain typed functions (conflicts, draws, plans, deadlines) so they can be tested
and recomputed without a database; credit.oversight.service reads and writes the graph.
"""
