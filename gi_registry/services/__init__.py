"""Every write goes through a function here; views, the CLI, the importer and tests call the same code.

A write function validates its input (``ValidationError`` keyed by field), writes, and tracks
history; it never commits. ``unit_of_work`` (services.unit) commits once per request or command.
Search updates need no call: the outbox rows are written at flush time in the same transaction.
"""
