"""A CRUD API over SQLite, split into routers: see `crud/main.py`."""
