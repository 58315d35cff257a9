#!/bin/sh
# Re-vendor the field app's browser libraries from npm: installs exactly what package-lock.json
# pins (npm checks each tarball's integrity hash), then copies the files the app loads into
# static/vendor/, which is committed. node_modules/ is git-ignored. Run from anywhere:
#   sh api/field/vendor.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
npm ci --prefix "$here" --no-audit --no-fund
dest="$here/static/vendor"
rm -rf "$dest"
mkdir -p "$dest/idb" "$dest/tus-js-client"
src="$here/node_modules/idb"
cp "$src/build/umd.js" "$src/LICENSE" "$dest/idb/"
echo "idb $(node -p "require('$src/package.json').version") -> $dest/idb"
src="$here/node_modules/tus-js-client"
cp "$src/LICENSE" "$dest/tus-js-client/"
# Without its source map, which is not vendored (DevTools would ask the server for it).
sed '/^\/\/# sourceMappingURL=/d' "$src/dist/tus.min.js" > "$dest/tus-js-client/tus.min.js"
echo "tus-js-client $(node -p "require('$src/package.json').version") -> $dest/tus-js-client"
