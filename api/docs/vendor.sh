#!/bin/sh
# Re-vendor Swagger UI for the API docs page from npm: installs exactly what package-lock.json
# pins (npm checks each tarball's integrity hash), then copies the files the page loads into
# static/vendor/, which is committed. node_modules/ is git-ignored. Run from anywhere:
#   sh api/docs/vendor.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
npm ci --prefix "$here" --no-audit --no-fund --ignore-scripts
src="$here/node_modules/swagger-ui-dist"
dest="$here/static/vendor/swagger-ui"
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/LICENSE" "$src/NOTICE" "$src/swagger-ui-bundle.js.LICENSE.txt" "$dest/"
# Without their source maps, which are not vendored (DevTools would ask the server for them).
sed '/^\/\/# sourceMappingURL=/d' "$src/swagger-ui-bundle.js" > "$dest/swagger-ui-bundle.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$src/swagger-ui.css" > "$dest/swagger-ui.css"
echo "swagger-ui-dist $(node -p "require('$src/package.json').version") -> $dest"
