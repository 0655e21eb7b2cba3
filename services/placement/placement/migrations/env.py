from bakat_common.migrations import run_migrations
from placement.models import Base

run_migrations(Base.metadata)
