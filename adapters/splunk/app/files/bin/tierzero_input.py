#!/usr/bin/env python3
"""tierzero scripted input: one engine pass (pull, detect, write alerts, commit state).

Splunk ships no Node.js runtime, and tierzero's engine is JavaScript: this shim finds a
Node >= 20 on the search head, fails with a clear message in splunkd.log when there is none,
and runs the bundled engine (bin/tierzero.cjs) with the session key splunkd hands the input
on stdin (passAuth), so no credential is stored for the input itself.
"""
import os
import re
import shutil
import subprocess
import sys

MIN_NODE_MAJOR = 20
APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(level, message):
    # splunkd.log picks up the input's stderr, one line per message.
    sys.stderr.write("%s tierzero_input: %s\n" % (level, message))
    sys.stderr.flush()


def find_node():
    configured = os.environ.get("TIERZERO_NODE")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("node")


def node_major(node):
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None, ""
    match = re.match(r"^v(\d+)\.", out)
    return (int(match.group(1)) if match else None), out


def config_path():
    local = os.path.join(APP_DIR, "local", "tierzero.json")
    return local if os.path.isfile(local) else os.path.join(APP_DIR, "default", "tierzero.json")


def main():
    node = find_node()
    if node is None:
        log("ERROR", "Node.js >= %d is required on this search head and none was found: install it, "
            "or set TIERZERO_NODE to its path in splunk-launch.conf" % MIN_NODE_MAJOR)
        return 2
    major, version = node_major(node)
    if major is None or major < MIN_NODE_MAJOR:
        log("ERROR", "tierzero needs Node.js >= %d; %s is %s" % (MIN_NODE_MAJOR, node, version or "not runnable"))
        return 2
    session_key = sys.stdin.readline()
    engine = os.path.join(APP_DIR, "bin", "tierzero.cjs")
    command = [node, engine, "run", "--config", config_path(), "--json"]
    try:
        done = subprocess.run(command, input=session_key, text=True, stdout=sys.stdout, stderr=sys.stderr,
                              timeout=int(os.environ.get("TIERZERO_TIMEOUT_SECONDS", "3300")))
    except subprocess.TimeoutExpired:
        log("ERROR", "the engine pass did not finish in time; it will be redone from the last commit")
        return 1
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
