"""Resource centre data (资源中心)."""
