"""An app split into modules as FastAPI's "Bigger Applications" guide splits one: each
router in its own module, included by `main`."""
