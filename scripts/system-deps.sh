#!/usr/bin/env bash
# Installs the Debian packages eukg's tests need, when they are missing.
# Run as root (CI and the development machines are); otherwise it says what to install.
set -euo pipefail
packages=(curl)
missing=()
for p in "${packages[@]}"; do
  command -v "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "eukg: please install these packages: ${missing[*]}" >&2
  exit 1
fi
echo "eukg: installing ${missing[*]} with apt-get" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
