"""A package with Alembic migrations, the way the services ship them."""
