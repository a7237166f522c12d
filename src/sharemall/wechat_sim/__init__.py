"""WeChat simulator (placeholder docstring)."""
