#!/bin/sh
# Re-vendor the console's browser libraries from npm: installs exactly what package-lock.json
# pins (npm checks each tarball's integrity hash), then copies the files the page loads into
# static/vendor/, which is committed. node_modules/ is git-ignored. Run from anywhere:
#   sh api/console/vendor.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
npm ci --prefix "$here" --no-audit --no-fund
src="$here/node_modules/leaflet"
dest="$here/static/vendor/leaflet"
rm -rf "$dest"
mkdir -p "$dest/images"
cp "$src/dist/leaflet.js" "$src/dist/leaflet.css" "$src/LICENSE" "$dest/"
cp "$src"/dist/images/*.png "$dest/images/"
version=$(node -p "require('$src/package.json').version")
echo "leaflet $version -> $dest"
