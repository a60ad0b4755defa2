#!/bin/sh
# Extracts Newman's integration collections (test/integration/**, postmanlabs/newman, Apache-2.0) into
# DIR for `npm run compat:newman-suite -- --dir DIR`. They are not part of this repository on purpose.
#
#   scripts/fetch-newman-suite.sh /tmp/newman-suite            # clones newman (tag v6.2.1) with git
#   NEWMAN_GIT_DIR=/path/to/newman.git scripts/fetch-newman-suite.sh /tmp/newman-suite   # from a local copy
#
# The measurement in bench/README.md used commit 74a45548df1bc6632f338e1b5e8239a25f314c5d.
set -eu
dir=${1:?usage: fetch-newman-suite.sh DIR}
rev=${NEWMAN_REV:-HEAD}
mkdir -p "$dir"
if [ -z "${NEWMAN_GIT_DIR:-}" ]; then
  NEWMAN_GIT_DIR=$(mktemp -d)/newman.git
  git clone --bare --depth 1 --branch "${NEWMAN_TAG:-v6.2.1}" https://github.com/postmanlabs/newman.git "$NEWMAN_GIT_DIR"
fi
git --git-dir="$NEWMAN_GIT_DIR" archive "$rev" test/integration | tar -x -C "$dir"
echo "extracted $(find "$dir/test/integration" -name '*.postman_collection.json' | wc -l) collections into $dir/test/integration"
