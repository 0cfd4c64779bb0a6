"""The credit feature: may a supplier take part (eligibility, Art. 18 participation,
agency bans) and its score; pure rules beside the service that reads facts and files checks."""
