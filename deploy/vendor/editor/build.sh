#!/bin/sh
# Rebuild the vendored "Program it" bundles from npm (run by hand when upgrading; nothing is
# fetched at run or test time). Versions are pinned in package.json beside this script.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
static="$here/../../../repository/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/editor.js" "$here/blocks.js" "$work/"
cd "$work"
npm install --no-audit --no-fund --save-exact
build() { node_modules/esbuild/bin/esbuild "$1" --bundle --minify --format=iife --legal-comments=eof --outfile="$2"; }
build editor.js "$static/codemirror-6.0.1/codemirror.min.js"
build blocks.js "$static/blockly-11.2.2/blockly.min.js"
cp node_modules/codemirror/LICENSE "$static/codemirror-6.0.1/LICENSE"
cp node_modules/blockly/media/*.svg node_modules/blockly/media/*.png node_modules/blockly/media/*.gif \
   "$static/blockly-11.2.2/media/"
