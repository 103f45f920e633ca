"""Detector state and simulation labels."""
