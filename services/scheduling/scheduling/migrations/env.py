from bakat_common.migrations import run_migrations
from scheduling.models import Base

run_migrations(Base.metadata)
