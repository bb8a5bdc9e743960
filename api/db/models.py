"""Imports every capability's models so that Alembic sees the whole schema."""

from api.addresses import models as _addresses  # noqa: F401
from api.chat import models as _chat  # noqa: F401
from api.db.base import Base
from api.desk import models as _desk  # noqa: F401
from api.dossiers import models as _dossiers  # noqa: F401
from api.procedures import models as _procedures  # noqa: F401
from api.push import models as _push  # noqa: F401

metadata = Base.metadata
