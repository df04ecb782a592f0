"""Usage statistics by the COUNTER Release 5 rules, in plain Python (no Django)."""
