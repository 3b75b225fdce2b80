#!/usr/bin/env bash
# Installs the Debian packages the course uses, where apt is available:
#   dataset-fashion-mnist   the offline default dataset (/usr/share/datasets/fashion-mnist/)
#   chromium chromium-driver  headless browser for the widget tests
#   bubblewrap              the sandbox that autograding runs student code in (grading/sandbox)
# Needs root or passwordless sudo; otherwise prints the command to run and goes on.
set -u
want=()
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || want+=(dataset-fashion-mnist)
[ -x /usr/bin/chromium ] || want+=(chromium chromium-driver)
[ -x /usr/bin/bwrap ] || want+=(bubblewrap)
[ ${#want[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: apt-get not found; install ${want[*]} yourself (see README)." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
  echo "system-deps: run: sudo apt-get install -y ${want[*]}" >&2
  exit 0
fi
echo "system-deps: installing ${want[*]}"
$sudo apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}" >/dev/null \
  || echo "system-deps: apt-get install ${want[*]} failed; see README" >&2
exit 0
