"""Search and neighbourhood exploration for supervisors."""
