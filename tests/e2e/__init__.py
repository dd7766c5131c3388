"""Browser tests: the model pages in Chromium against a real server."""
