"""Models of this part of the employment service."""
