from assessment.models import Base
from bakat_common.migrations import run_migrations

run_migrations(Base.metadata)
