from bakat_common.migrations import run_migrations
from placement.calibration import models as _calibration  # noqa: F401  (register the feature tables)
from placement.models import Base
from placement.plans import models as _plans  # noqa: F401
from placement.succession import models as _succession  # noqa: F401

run_migrations(Base.metadata)
