# Sourced by ./run-tests: makes sure an OpenCL runtime is there for the OpenCL backend's tests (PoCL runs every
# kernel on the CPU). Installs Debian's PoCL ICD and the ICD loader with apt-get when run as root; otherwise says
# what is missing (the OpenCL tests then fail under CI and report that they did not run elsewhere).
ensure_opencl_deps() {
  local pkgs="pocl-opencl-icd ocl-icd-libopencl1"
  if ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1'; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run-tests: installing $pkgs (Debian packages, once)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs; } >/tmp/adatoken3d-apt-opencl.log 2>&1 ||
      { cat /tmp/adatoken3d-apt-opencl.log >&2; echo "run-tests: apt-get install failed; the OpenCL tests will not run" >&2; }
  else
    echo "run-tests: no OpenCL runtime and this user cannot apt-get install $pkgs;" \
         "the OpenCL backend's tests will report that they did not run" >&2
  fi
}
