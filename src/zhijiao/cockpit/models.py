"""Rollups the data cockpit (数字驾驶舱) reads."""
