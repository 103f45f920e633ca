"""Learning record store data (学习记录)."""
