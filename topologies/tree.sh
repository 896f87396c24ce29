#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tree topology as plain network namespaces; see netns.sh for the options.
exec "$(dirname "$0")/netns.sh" tree "$@"
