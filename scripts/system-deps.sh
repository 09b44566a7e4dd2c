#!/usr/bin/env bash
# System packages from Debian's archive. Installs only what is missing; a second run returns at once.
#   ./scripts/system-deps.sh         what running the studio needs: ffmpeg (decoding m4a/webm uploads)
#   ./scripts/system-deps.sh test    and what the tests and benchmarks need: chromium (the end-to-end
#                                    browser tests), asterisk-core-sounds-en-wav (real English speakers)
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
if [ "${1:-}" = "test" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -d /usr/share/asterisk/sounds/en ] || missing+=(asterisk-core-sounds-en-wav)
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
