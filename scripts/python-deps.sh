# Sourced by ./run-tests: makes sure Debian's PyTorch (the conformance oracle) and numpy/OpenBLAS are
# installed for /usr/bin/python3. Installs them with apt-get when run as root; otherwise says what is missing.
# True when /usr/bin/python3 has every module the oracle and its tests import. PIL: the front-end oracle resizes
# images with Pillow, as LLaVA-3D's preprocessing does; sentencepiece: the spatial-QA tokenizer is read and
# trained with it. wordnet-base (not Python, installed alongside): the evaluation module's METEOR synonym stage
# reads WordNet 3.0 from /usr/share/wordnet, and its tests check that stage against NLTK's values.
python_deps_present() {
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch, numpy, PIL, sentencepiece' >/dev/null 2>&1
}

ensure_python_deps() {
  if python_deps_present && [ -r /usr/share/wordnet/index.noun ]; then return 0; fi
  local pkgs="python3 python3-torch python3-numpy python3-pil libopenblas0-pthread python3-sentencepiece wordnet-base"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run-tests: installing $pkgs (Debian packages, once)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs; } >/tmp/adatoken3d-apt.log 2>&1 ||
      { cat /tmp/adatoken3d-apt.log >&2; echo "run-tests: apt-get install failed; live PyTorch cases will not run" >&2; }
  else
    echo "run-tests: PyTorch for /usr/bin/python3 is missing and this user cannot apt-get install $pkgs;" \
         "the live PyTorch conformance cases will report that they did not run" >&2
  fi
}
