from bakat_common.migrations import run_migrations
from roster.models import Base

run_migrations(Base.metadata, with_known_tenants=False)
