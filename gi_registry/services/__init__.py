"""Every write goes through a function here: one unit of work; views, CLI and tests call the same code."""
