"""Developer tools that are not part of the server (the long fuzz run)."""
