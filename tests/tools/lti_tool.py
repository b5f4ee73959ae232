"""An LTI 1.3 tool for the test suite: pylti1p3 (PyPI) in a small Flask app, the library doing
every check a real tool does on EduFlow's messages. It launches (third-party initiated login,
then the id_token EduFlow posts back), answers deep-linking requests with resource links, and
posts grades and reads the roster through the platform's services.

    lti_tool.py PORT

POST /configure registers a platform (issuer, client id, deployment id, its URLs); GET /last
tells the suite what the last launch carried. Pages have plain forms, for the browser journey.
"""

import html
import os
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, request
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfDict

# The suite's schools live at <slug>.localhost, which browsers resolve to loopback (RFC 6761)
# and the C library here does not, and at custom domains under .test: all are this machine.
_getaddrinfo = socket.getaddrinfo


def _resolve(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith((".localhost", ".test")):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _resolve

PORT = int(sys.argv[1])
BASE = f"http://127.0.0.1:{PORT}"
_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE = _key.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()
PUBLIC = (
    _key.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)

PLATFORMS = {}  # issuer -> [registration]
LAUNCHES = []  # every launch's claims, oldest first


class Cache:
    """What pylti1p3 keeps between the login and the launch (state, nonce, launch data)."""

    def __init__(self):
        self.values = {}

    def get(self, key):
        value, until = self.values.get(key, (None, 0))
        return value if until > time.time() else None

    def set(self, key, value, exp=None):
        self.values[key] = (value, time.time() + (exp or 7200))

    def delete(self, key):
        self.values.pop(key, None)


CACHE = Cache()
app = Flask(__name__)


def conf():
    tool = ToolConfDict(PLATFORMS)
    for issuer, regs in PLATFORMS.items():
        for reg in regs:
            tool.set_private_key(issuer, PRIVATE, client_id=reg["client_id"])
            tool.set_public_key(issuer, PUBLIC, client_id=reg["client_id"])
    return tool


def storage():
    return FlaskCacheDataStorage(CACHE)


def page(title, body):
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"""


@app.post("/configure")
def configure():
    p = request.get_json()
    regs = PLATFORMS.setdefault(p["issuer"], [])
    regs[:] = [r for r in regs if r["client_id"] != p["client_id"]]
    regs.append(
        {
            "default": False,
            "client_id": p["client_id"],
            "auth_login_url": p["authorize"],
            "auth_token_url": p["token"],
            "auth_audience": None,
            "key_set_url": p["jwks"],
            "key_set": None,
            "deployment_ids": [p["deployment_id"]],
        }
    )
    return jsonify(ok=True)


@app.get("/jwks")
def jwks():
    return jsonify(keys=[Registration.get_jwk(PUBLIC)])


@app.route("/login", methods=["GET", "POST"])
def login():
    # Whatever the target link, the id_token comes back to the one registered redirect URI.
    login = FlaskOIDCLogin(FlaskRequest(), conf(), launch_data_storage=storage())
    return login.redirect(f"{BASE}/launch")


@app.post("/launch")
def launch():
    launch = FlaskMessageLaunch(FlaskRequest(), conf(), launch_data_storage=storage())
    data = launch.get_launch_data()
    launch_id = launch.get_launch_id()
    LAUNCHES.append({"launch_id": launch_id, "claims": data})
    lid = html.escape(launch_id)
    if launch.is_deep_link_launch():
        return page(
            "Choose content",
            f"""<form method="post" action="/deep-link"><input type="hidden" name="launch_id" value="{lid}">
<label for="title">Title</label> <input id="title" name="title" value="Fractions practice">
<button type="submit">Add to course</button></form>""",
        )
    name = html.escape(data.get("name", ""))
    link = html.escape(data["https://purl.imsglobal.org/spec/lti/claim/resource_link"]["title"])
    return page(
        f"Activity: {link}",
        f"""<p id="who">Hello {name}</p>
<form method="post" action="/grade"><input type="hidden" name="launch_id" value="{lid}">
<label for="score">Score</label> <input id="score" name="score" value="90">
<button type="submit">Submit score</button></form>""",
    )


def restored(launch_id):
    return FlaskMessageLaunch.from_cache(
        launch_id, FlaskRequest(), conf(), launch_data_storage=storage()
    )


@app.post("/deep-link")
def deep_link():
    launch = restored(request.form["launch_id"])
    title = request.form.get("title", "Activity")
    resource = (
        DeepLinkResource()
        .set_url(f"{BASE}/launch?activity={uuid.uuid4().hex[:8]}")
        .set_title(title)
        .set_lineitem(LineItem().set_score_maximum(10).set_label(title))
    )
    return launch.get_deep_link().output_response_form([resource])


@app.post("/grade")
def grade():
    launch = restored(request.form["launch_id"])
    claims = launch.get_launch_data()
    score = float(request.form.get("score", "90"))
    ags = launch.get_ags()
    sent = ags.put_grade(
        Grade()
        .set_score_given(score)
        .set_score_maximum(100)
        .set_timestamp(datetime.now(timezone.utc).isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(claims["sub"])
    )
    members = launch.get_nrps().get_members() if launch.has_nrps() else []
    answer = {
        "status": "sent",
        "grades": ags.get_grades(),
        "members": members,
        "headers": dict(sent["headers"]),
    }
    if request.form.get("json"):
        return jsonify(answer)
    return page("Score sent", f"<p id=\"sent\">Your score of {score:g} was sent.</p>")


@app.get("/last")
def last():
    return jsonify(LAUNCHES[-1] if LAUNCHES else None)


@app.errorhandler(Exception)
def failed(e):
    return jsonify(error=type(e).__name__, detail=str(e)), 400


if __name__ == "__main__":
    threading.Thread(
        target=lambda: app.run(host="127.0.0.1", port=PORT, threaded=True, use_reloader=False),
        daemon=True,
    ).start()
    # Ends with the process that started it (the test run, a bench, the journeys), however that ends.
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
