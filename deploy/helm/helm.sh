#!/usr/bin/env bash
# `helm` for this machine: the real `helm` if it is on PATH, else Helm's own Go code compiled into
# helm-java's native library, fetched once from Maven Central (deploy/helm/cli/pom.xml) and driven by
# deploy/helm/cli/HelmCli.java. Supports what the chart's checks use: version, template, lint.
#
# Usage: bash deploy/helm/helm.sh {version | template NAME CHART [--set k=v]... [-f FILE]... | lint CHART}
set -euo pipefail

if command -v helm >/dev/null 2>&1 && [[ -z "${TALLY_HELM_JAVA:-}" ]]; then exec helm "$@"; fi

CLI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/cli" && pwd)"
VERSION="$(sed -n 's:.*<helm-java.version>\(.*\)</helm-java.version>.*:\1:p' "$CLI_DIR/pom.xml" | head -n1)"
HOME_DIR="${TALLY_HELM_HOME:-$HOME/.cache/tally/helm-java-$VERSION}"
LIBS="$HOME_DIR/libs"
CLASSES="$HOME_DIR/classes"

die() { echo "helm.sh: $*" >&2; exit 1; }

if [[ ! -f "$LIBS/.complete" ]]; then
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH; it is needed once to fetch helm-java into $LIBS"
  tmp="$(mktemp -d)"
  mvn -B -q -f "$CLI_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp" -DincludeScope=runtime >"$tmp.log" 2>&1 \
    || die "could not fetch helm-java $VERSION from Maven Central: $(tail -n 5 "$tmp.log")"
  rm -rf "$LIBS" && mkdir -p "$HOME_DIR" && mv "$tmp" "$LIBS" && touch "$LIBS/.complete"
fi
# Compiled once per source change: the launcher then starts in about a second.
stamp="$(sha256sum "$CLI_DIR/HelmCli.java" | cut -c1-16)"
if [[ ! -f "$CLASSES/$stamp" ]]; then
  rm -rf "$CLASSES" && mkdir -p "$CLASSES"
  javac -d "$CLASSES" -cp "$LIBS/*" "$CLI_DIR/HelmCli.java" && touch "$CLASSES/$stamp"
fi
exec java -Xshare:auto -cp "$CLASSES:$LIBS/*" HelmCli "$@"
