"""Superset's settings for `make bi`: its state under .superset_home, nothing fetched from outside."""

import os
from pathlib import Path

HOME = Path(os.environ["SUPERSET_HOME"])
SQLALCHEMY_DATABASE_URI = f"sqlite:///{HOME / 'superset.db'}"
# Made once by bi/start.py and kept in .superset_home: sessions survive a restart.
SECRET_KEY = (HOME / "secret_key").read_text(encoding="utf-8").strip()
# Nothing leaves the machine: no analytics pixel (its <img> is in every page; the policy below keeps
# the browser from fetching it), no external fonts, map tiles or scripts.
SCARF_ANALYTICS = False
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
FEATURE_FLAGS = {"DASHBOARD_NATIVE_FILTERS": True}
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "us", "name": "English"}}
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
WTF_CSRF_ENABLED = True
