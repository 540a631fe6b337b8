"""What legal staff and analysts do with files: sessions, versions, new versions, diffs and their
effect, workspaces, the message table of the docs."""
