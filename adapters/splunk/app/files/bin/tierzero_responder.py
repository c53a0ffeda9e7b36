"""Shared code of tierzero's alert actions: call the tierzero responder's HTTP API.

Splunk runs `bin/<action>.py --execute` with a JSON payload on stdin (payload_format = json):
server_uri, session_key, search_name, app and configuration (the action's param.* values).
The responder's bearer token is read from this app's credential store (storage/passwords,
realm tierzero, user responder_token) with the session key; it is never in a .conf file and
never printed.
"""
import json
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

REALM = "tierzero"
TOKEN_USER = "responder_token"


def log(level, message):
    sys.stderr.write("%s tierzero_alert_action: %s\n" % (level, message))
    sys.stderr.flush()


def splunkd_context(server_uri):
    """splunkd on the search head: verify against Splunk's CA when it is there.

    The default certificate names SplunkServerDefaultCert, not the loopback address
    splunkd gives us, so the name is not checked for this local call only.
    """
    if not server_uri.startswith("https:"):
        return None
    ca = os.path.join(os.environ.get("SPLUNK_HOME", "/opt/splunk"), "etc", "auth", "cacert.pem")
    context = ssl.create_default_context(cafile=ca if os.path.isfile(ca) else None)
    context.check_hostname = False
    return context


def read_token(payload):
    app = payload.get("app") or REALM
    name = urllib.parse.quote("%s:%s:" % (REALM, TOKEN_USER), safe="")
    url = "%s/servicesNS/nobody/%s/storage/passwords/%s?output_mode=json" % (
        payload["server_uri"].rstrip("/"), urllib.parse.quote(app, safe=""), name)
    request = urllib.request.Request(url, headers={"Authorization": "Splunk %s" % payload["session_key"]})
    try:
        with urllib.request.urlopen(request, context=splunkd_context(payload["server_uri"]), timeout=30) as response:
            document = json.load(response)
    except urllib.error.HTTPError as e:
        raise RuntimeError("cannot read the responder token from storage/passwords (%s:%s:): HTTP %d; store it "
                           "there and give the alert's owner list_storage_passwords" % (REALM, TOKEN_USER, e.code))
    return document["entry"][0]["content"]["clear_password"]


def respond(payload):
    config = payload.get("configuration") or {}
    url = (config.get("responder_url") or "").rstrip("/")
    user = (config.get("user") or "").strip()
    if not url:
        raise RuntimeError("param.responder_url is not set: set it in local/alert_actions.conf or on the search")
    if not user:
        raise RuntimeError("no user to act on: the result has no user field and param.user is empty")
    body = {"action": config["action"], "user": user, "requestedBy": "splunk:%s" % payload.get("search_name", "unknown")}
    if config.get("alert_id"):
        body["alertId"] = config["alert_id"][:200]
    if config.get("reason"):
        body["reason"] = config["reason"][:1000]
    token = read_token(payload)
    context = ssl.create_default_context(cafile=config.get("ca_file") or None) if url.startswith("https:") else None
    request = urllib.request.Request(url + "/v1/actions", data=json.dumps(body).encode("utf-8"), method="POST", headers={
        "Authorization": "Bearer %s" % token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=90) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.load(e)
        except ValueError:
            return e.code, {"error": "http_%d" % e.code}


def main(argv):
    if len(argv) < 2 or argv[1] != "--execute":
        log("ERROR", "run by Splunk as an alert action (--execute, JSON payload on stdin)")
        return 2
    try:
        payload = json.loads(sys.stdin.read())
        status, result = respond(payload)
    except Exception as e:  # every failure is reported to splunkd.log, never with the token
        log("ERROR", str(e))
        return 2
    summary = "action %s for %s: HTTP %d %s" % (payload["configuration"].get("action"), payload["configuration"].get("user"),
                                                  status, json.dumps(result, sort_keys=True))
    log("INFO" if status in (200, 207) else "ERROR", summary)
    return 0 if status in (200, 207) else 2
