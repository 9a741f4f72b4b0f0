"""One app host of tests/test_two_hosts.py, as production starts it: the
settings come from the host's own instance/config.py (CEKBANSOS_INSTANCE
names the folder). gunicorn serves `app`; huey_consumer runs `huey`."""

import os

from webapp import create_app

app = create_app({"INSTANCE_PATH": os.environ["CEKBANSOS_INSTANCE"]})
huey = app.extensions["huey"]
