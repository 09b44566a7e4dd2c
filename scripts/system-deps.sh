#!/usr/bin/env bash
# System packages from Debian's archive. Installs only what is missing; a second run returns at once.
#   ./scripts/system-deps.sh         what running the studio needs: ffmpeg (decoding m4a/webm uploads)
#   ./scripts/system-deps.sh test    and what the tests and benchmarks need: chromium (the end-to-end
#                                    browser tests), asterisk-core-sounds-en-wav (real English speakers),
#                                    the other asterisk prompt sets bench/bench_voices.py clones (French,
#                                    Italian, Russian, Colombian Spanish speakers) and asterisk-moh-opsound-wav
#                                    (music, for the cloner's clip checks in tests/test_clone.py)
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
if [ "${1:-}" = "test" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -d /usr/share/asterisk/sounds/en ] || missing+=(asterisk-core-sounds-en-wav)
  # One file or folder each package installs (bench/bench_voices.py SPEAKERS reads these folders).
  sounds=/usr/share/asterisk/sounds
  [ -d $sounds/fr_CA_f_June ] || missing+=(asterisk-core-sounds-fr-wav)
  [ -d $sounds/it_IT_m_Carlo ] || missing+=(asterisk-core-sounds-it-wav)
  [ -d $sounds/ru_RU_f_IvrvoiceRU ] || missing+=(asterisk-core-sounds-ru-wav)
  [ -d $sounds/it_IT_f_Menardi ] || missing+=(asterisk-prompt-it-menardi-wav)
  [ -f $sounds/fr/agent-pass.gsm ] || missing+=(asterisk-prompt-fr-armelle)
  [ -f $sounds/es/agent-pass.gsm ] || missing+=(asterisk-prompt-es-co)
  [ -f /usr/share/asterisk/moh/manolo_camp-morning_coffee.wav ] || missing+=(asterisk-moh-opsound-wav)
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
