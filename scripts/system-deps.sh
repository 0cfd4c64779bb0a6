#!/usr/bin/env bash
# Installs what the project needs from Debian's packages when it is missing, so `make run` and
# `make test` work on a fresh machine: Java 17 and Maven (Neo4j from Maven Central), Node.js with
# npm (the pages), with `--tests` Chromium, CJK fonts and poppler-utils (the page tests drive
# Debian's Chromium, never a downloaded browser), with `--bench` wrk (the hot path's load).
# Root installs with apt-get; anyone else gets one line naming the command to run.
set -euo pipefail
missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v npm >/dev/null || missing+=(nodejs npm)
if [[ "${1:-}" == "--bench" ]]; then
  command -v wrk >/dev/null || missing+=(wrk)  # the hot path's HTTP load generator
fi
if [[ "${1:-}" == "--tests" ]]; then
  command -v chromium >/dev/null || missing+=(chromium)
  [[ -d /usr/share/fonts/opentype/noto ]] || missing+=(fonts-noto-cjk)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)  # the printout test's page images
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "installing from Debian's packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing system packages: run \`sudo apt-get install ${missing[*]}\` and try again" >&2
  exit 1
fi
