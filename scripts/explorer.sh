#!/usr/bin/env bash
# Sets up a Debian 12 machine for Attention Explorer, builds it (Release), then either
# opens the explorer (`run`, the default) or runs the whole test suite (`test`).
# Installing is idempotent: only missing packages are fetched.
set -euo pipefail

mode=${1:-run}
shift || true
case "$mode" in
run | test) ;;
*)
    echo "usage: $0 [run|test] [arguments for attention-explorer]" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build"

packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-svg-dev libgl-dev fonts-dejavu-core
    fonts-noto-color-emoji # emoji in token names and figures, not empty boxes
    libopenblas-dev nlohmann-json3-dev libglm-dev
    libvulkan-dev glslc vulkan-validationlayers mesa-vulkan-drivers
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)"

if [ "$mode" = test ]; then
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
else
    exec "$build/app/attention-explorer" "$@"
fi
