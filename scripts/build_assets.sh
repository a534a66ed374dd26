#!/usr/bin/env bash
# Rebuild the committed front-end assets from GOV.UK Frontend and MoJ Frontend (see docs/how-to/rebuild-assets.md).
#
#   scripts/build_assets.sh                    # npm-installs the versions pinned in assets/package.json
#   NODE_MODULES=/path/to/node_modules scripts/build_assets.sh   # use packages already installed there
#
# Writes src/openprobation/web/static/vendor/: the compiled stylesheet (Arial, no GDS font), the two
# design-system JavaScript bundles (ES modules) and exactly the images the stylesheet refers to.
# Only this script needs npm; installing and running OpenProbation does not.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/src/openprobation/web/static/vendor

if [ -z "${NODE_MODULES:-}" ]; then
    command -v npm >/dev/null || { echo "build_assets.sh: npm is needed (apt-get install -y npm)" >&2; exit 1; }
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/openprobation-assets.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    cp assets/package.json "$WORK/"
    (cd "$WORK" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
    NODE_MODULES=$WORK/node_modules
fi
NODE_MODULES=$(cd "$NODE_MODULES" && pwd)
G=$NODE_MODULES/govuk-frontend/dist/govuk
M=$NODE_MODULES/@ministryofjustice/frontend/moj
for f in "$G/govuk-frontend.min.js" "$M/moj-frontend.min.js" "$NODE_MODULES/.bin/sass"; do
    [ -e "$f" ] || { echo "build_assets.sh: missing $f" >&2; exit 1; }
done

rm -rf "$OUT"
mkdir -p "$OUT/assets/images"

# The Sass sources say "node_modules/...", so the folder holding node_modules is the load path.
"$NODE_MODULES/.bin/sass" --quiet-deps --style=compressed --no-source-map \
    --load-path="$(dirname "$NODE_MODULES")" --load-path=assets \
    assets/app.scss "$OUT/openprobation.min.css"

cp "$G/govuk-frontend.min.js" "$G/govuk-frontend.min.js.map" "$OUT/"
cp "$M/moj-frontend.min.js" "$M/moj-frontend.min.js.map" "$OUT/"

# Copy each image the stylesheet refers to (from either package); fail if one cannot be found, since it
# would be a 404 in the browser and a collectstatic error with the manifest storage.
grep -o 'url([^)]*)' "$OUT/openprobation.min.css" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u |
while read -r ref; do
    case "$ref" in
        data:*) continue ;;
        assets/images/*) ;;
        *) echo "build_assets.sh: unexpected URL in stylesheet: $ref" >&2; exit 1 ;;
    esac
    name=${ref#assets/images/}
    if [ -f "$G/assets/images/$name" ]; then
        cp "$G/assets/images/$name" "$OUT/assets/images/"
    elif [ -f "$M/assets/images/$name" ]; then
        cp "$M/assets/images/$name" "$OUT/assets/images/"
    else
        echo "build_assets.sh: stylesheet refers to $ref, found in neither package" >&2; exit 1
    fi
done

echo "Built $(du -sh "$OUT" | cut -f1) of assets in ${OUT#"$ROOT"/}:"
(cd "$OUT" && find . -type f | sort)
