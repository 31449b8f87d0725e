# Sourced by ./run-tests: makes sure Debian's Chromium and its chromedriver are there for the web page's browser test
# (server's WebPageTest drives /usr/bin/chromium through /usr/bin/chromedriver). Installs them with apt-get, through
# sudo when not root; otherwise says what is missing (the browser test then fails under CI and reports that it did
# not run elsewhere).
browser_deps_present() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
}

ensure_browser_deps() {
  if browser_deps_present; then return 0; fi
  local pkgs="chromium chromium-driver" sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "run-tests: /usr/bin/chromium or /usr/bin/chromedriver is missing and this user can neither apt-get install" \
           "$pkgs nor sudo without a password; the web page's browser test will fail under CI and say so elsewhere" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "run-tests: /usr/bin/chromium or /usr/bin/chromedriver is missing and there is no apt-get to install $pkgs;" \
         "the web page's browser test will fail under CI and say so elsewhere" >&2
    return 0
  fi
  echo "run-tests: installing $pkgs (Debian packages, once)..." >&2
  if { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs; } >/tmp/adatoken3d-apt-browser.log 2>&1; then
    browser_deps_present ||
      echo "run-tests: $pkgs installed, yet /usr/bin/chromium or /usr/bin/chromedriver is missing; the web page's browser test will fail under CI and say so elsewhere" >&2
  else
    cat /tmp/adatoken3d-apt-browser.log >&2
    echo "run-tests: apt-get install $pkgs failed; the web page's browser test will fail under CI and say so elsewhere" >&2
  fi
}
