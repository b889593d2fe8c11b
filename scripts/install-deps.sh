#!/usr/bin/env bash
# Installs what building and running Recovery Desk needs, skipping whatever is
# already installed at the right version. `make run` and `make test` call it.
#
#   scripts/install-deps.sh          build tools and the PostgreSQL server
#   scripts/install-deps.sh --test   the same, plus Chromium and ChromeDriver
#
# Debian 12 and its derivatives get system packages installed when this runs
# as root; otherwise the script prints the exact command to run and stops.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
tools="$root/.tools"
want_browser=false
[ "${1:-}" = "--test" ] && want_browser=true

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '==> %s\n' "$*"; }

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing system packages: $*" >&2
        echo "Install them with:  sudo apt-get install -y $*" >&2
        echo "(On systems without apt, install the equivalent packages with your package manager.)" >&2
        exit 1
    fi
    say "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 || {
        apt-get update >/dev/null
        apt-get install -y --no-install-recommends "$@" >/dev/null
    }
}

# The PostgreSQL server binaries (initdb, postgres), found the way the server finds them.
have_postgres_server() {
    command -v initdb >/dev/null 2>&1 && return 0
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
if ! have_postgres_server; then
    apt_install postgresql
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
    say "installing Trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $wasm_bindgen_version\$"; then
    say "installing wasm-bindgen-cli $wasm_bindgen_version (about 2 minutes)"
    # Without --locked: the CLI's own lock file names a crate version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

# binaryen from npm: Debian's binaryen 108 builds a wasm file that renders a blank page.
if ! "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    if ! command -v npm >/dev/null 2>&1; then
        apt_install npm
    fi
    say "installing binaryen $BINARYEN_VERSION (wasm-opt) into .tools"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
fi

if $want_browser; then
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        apt_install chromium chromium-driver
    fi
fi
say "build tools are ready"
