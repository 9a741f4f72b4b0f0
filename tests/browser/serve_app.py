"""The app as gunicorn serves it for the browser tests. The settings (built by
tests/conftest.py, instance folder included) arrive as JSON in the environment,
since gunicorn can only import a module-level `app`."""

import json
import os

from webapp import create_app

app = create_app(json.loads(os.environ["CEKBANSOS_TEST_CONFIG"]))
