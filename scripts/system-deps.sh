#!/usr/bin/env bash
# System packages the studio and its tests use, from Debian's archive:
#   ffmpeg (decoding m4a/webm uploads), chromium (the end-to-end browser tests),
#   asterisk-core-sounds-en-wav (a real English speaker for voice tests and benchmarks),
#   espeak-ng and sox (used by tests to make and measure audio).
# Installs only what is missing; a second run returns at once.
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/asterisk/sounds/en ] || missing+=(asterisk-core-sounds-en-wav)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v sox >/dev/null || missing+=(sox)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
