"""Use cases: the one door for every write, shared by web views, API, tasks and commands."""
