#!/bin/sh
# line topology as plain network namespaces; see netns.sh for the options.
exec "$(dirname "$0")/netns.sh" line "$@"
