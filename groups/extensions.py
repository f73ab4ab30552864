"""Extensions are created here and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from groups.models import Base

db = SQLAlchemy(model_class=Base)
# render_as_batch: SQLite cannot ALTER most things, Alembic copies the table instead.
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: memory by default, Redis in production.
limiter = Limiter(key_func=get_remote_address)
