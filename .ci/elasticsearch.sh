#!/usr/bin/env bash
# A real Elasticsearch 8 node for the Elastic adapter's tests (test/support/elasticsearch.ts).
# Elastic publishes its integ-test distribution to Maven Central: the real server with the
# transport-netty4, x-pack-core and x-pack-security modules (no Kibana, no EQL/ES|QL, no
# painless, no rest-root: `GET /` answers 405). Fetched with Maven into a git-ignored cache,
# unpacked once, owned by a system user because the node refuses to run as root.
# Prints the ES home on stdout; everything else goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=8.19.21
CACHE="$PWD/.cache/elasticsearch"
HOME_DIR="$CACHE/elasticsearch-$VERSION"
ZIP="$CACHE/elasticsearch-$VERSION.zip"
RUN_USER=tierzero-es
mkdir -p "$CACHE"
if [ ! -x "$HOME_DIR/bin/elasticsearch" ]; then
  if [ ! -s "$ZIP" ]; then
    mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$VERSION:zip" \
      -DoutputDirectory="$CACHE" >&2
  fi
  rm -rf "$HOME_DIR.tmp" && mkdir -p "$HOME_DIR.tmp"
  (cd "$HOME_DIR.tmp" && unzip -q "$ZIP" && mv "elasticsearch-$VERSION"/* . && rmdir "elasticsearch-$VERSION")
  mv "$HOME_DIR.tmp" "$HOME_DIR"
fi
if [ "$(id -u)" -eq 0 ]; then
  id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
  # The node writes its config keystore and logs under its home: give it the tree.
  chown -R "$RUN_USER" "$HOME_DIR"
  # The user must be able to reach the home through the checkout's parents.
  chmod o+x "$CACHE" "$PWD/.cache" "$PWD" 2>/dev/null || true
fi
echo "$HOME_DIR"
