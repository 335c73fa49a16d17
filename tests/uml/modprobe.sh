#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# modprobe.sh — the user-mode Linux kernel's module loader (kernel.modprobe,
# set by init.sh): the modules are the user-mode-linux package's, in the tree
# init.sh links under /run/uml-modules.
exec /sbin/modprobe -d /run/uml-modules "$@"
