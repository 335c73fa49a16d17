#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package: `dpkg-buildpackage -us -uc -b` on a copy of the tree
# builds ccni-plugins, ccni, ccni-docker, libccni0 and libccni-dev; every file `meson
# install` stages is in exactly one of them and they hold nothing else (but
# Debian's doc files); plugins in /usr/lib/cni in place of
# containernetworking-plugins; lintian reports no error; and what the
# packages hold works (plugins, the command, the library through
# pkg-config). Built once for the whole file (nocheck: the suite runs the
# unit tests itself).
. "$(dirname "$0")/../integration/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
# exported: each test runs in its own process, all on the one build
export PKG=${PKG:-${TMPDIR:-/tmp}/ccni-pkg.$$}
PACKAGES="ccni-plugins ccni ccni-docker libccni0 libccni-dev"

# build_once: the packages in $PKG/*.deb, the source copy in $PKG/src.
build_once() {
	[ -f "$PKG/built" ] && return 0
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null &&
		command -v lintian >/dev/null || skip "dpkg-dev, debhelper and lintian are needed"
	rm -rf "$PKG" && mkdir -p "$PKG/src"
	# What a clone holds, with files not yet committed (but not ignored).
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 -r ls -d 2>/dev/null |
			tar -cf - -T -) | tar -xf - -C "$PKG/src"
	else
		tar -C "$top" --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$PKG/src"
	fi
	(cd "$PKG/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
		>"$PKG/build.log" 2>&1 || { tail -40 "$PKG/build.log"; fail "dpkg-buildpackage failed"; }
	touch "$PKG/built"
}

# deb NAME: the path of binary package NAME.
deb() { ls "$PKG"/"$1"_*.deb; }
# contents NAME: its files and links, one a line ("./usr/bin/ccni" -> "usr/bin/ccni").
contents() { dpkg-deb -c "$(deb "$1")" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' | sort; }

test_every_staged_file_is_in_exactly_one_package() {
	build_once
	local staged packaged dup
	# dh_auto_install's DESTDIR is exactly what `meson install` staged;
	# dh_compress gzips the man pages.
	staged=$(cd "$PKG/src/debian/tmp" && find . ! -type d | sed 's|^\./||' |
		sed -E 's|^(usr/share/man/.*)$|\1.gz|' | sort)
	packaged=$(for p in $PACKAGES; do contents $p; done |
		grep -Ev '^usr/share/doc/[^/]+/(changelog\.gz|copyright)$' | sort)
	dup=$(printf '%s\n' "$packaged" | uniq -d)
	assert_eq "$dup" "" "files in two packages"
	assert_eq "$packaged" "$staged" "packaged files vs meson install"
	# and nothing is built that no package names (dh_missing)
	[ -n "$staged" ] || fail "nothing staged"
}

test_files_are_where_debian_looks() {
	build_once
	local p
	assert_contains "$(contents ccni)" "usr/bin/ccni"
	assert_contains "$(contents ccni)" "usr/share/man/man1/ccni-validate.1.gz"
	assert_contains "$(contents ccni)" "usr/share/bash-completion/completions/ccni"
	assert_eq "$(contents libccni0)" "$(printf '%s\n' usr/lib/x86_64-linux-gnu/libccni.so.0 \
		usr/lib/x86_64-linux-gnu/libccni.so.0.1.0 usr/share/doc/libccni0/changelog.gz \
		usr/share/doc/libccni0/copyright | sort)" "libccni0"
	assert_contains "$(contents libccni-dev)" "usr/lib/x86_64-linux-gnu/pkgconfig/ccni.pc"
	assert_contains "$(contents libccni-dev)" "usr/include/ccni/plugin.h"
	# the daemons' units, each with its daemon, where bookworm's systemd
	# helpers look
	assert_contains "$(contents ccni-plugins)" "lib/systemd/system/cni-dhcp.socket"
	assert_contains "$(contents ccni-plugins)" "lib/systemd/system/cni-dhcp.service"
	assert_eq "$(contents ccni-docker | grep -v '^usr/share/doc/')" "$(printf '%s\n' \
		lib/systemd/system/ccni-docker.service usr/bin/ccni-docker \
		usr/share/man/man8/ccni-docker.8.gz)" "ccni-docker"
	# ccni-docker waits for the admin; the dhcp socket is enabled
	dpkg-deb -e "$(deb ccni-docker)" "$T/docker-control"
	assert_not_contains "$(cat "$T/docker-control/postinst")" "deb-systemd-invoke start"
	dpkg-deb -e "$(deb ccni-plugins)" "$T/plugins-control"
	assert_contains "$(cat "$T/plugins-control/postinst")" "cni-dhcp.socket"
	# every plugin of the executable is linked under its name in /usr/lib/cni
	dpkg-deb -x "$(deb ccni-plugins)" "$T/root"
	local built
	built=$("$T/root/usr/lib/cni/ccni-plugin" 2>&1 | sed 's/.*built in: //')
	[ -n "$built" ] || fail "ccni-plugin lists no plugin"
	for p in $built; do
		assert_eq "$(readlink "$T/root/usr/lib/cni/$p")" ccni-plugin "/usr/lib/cni/$p"
	done
	assert_eq "$(contents ccni-plugins | grep -c '^usr/lib/cni/')" "$(($(wc -w <<<"$built") + 1))" \
		"files in /usr/lib/cni"
	# every binary name of the reference plugins (dummy and tap: of its
	# newer releases) is there, in place of containernetworking-plugins'
	for p in bandwidth bridge dhcp dummy firewall host-device host-local ipvlan loopback \
		macvlan portmap ptp sbr static tap tuning vlan vrf; do
		assert_eq "$(readlink "$T/root/usr/lib/cni/$p")" ccni-plugin "/usr/lib/cni/$p"
	done
}

test_it_replaces_containernetworking_plugins() {
	build_once
	local d
	d=$(deb ccni-plugins)
	assert_eq "$(dpkg-deb -f "$d" Provides)" "container-network-stack (= 1), containernetworking-plugins"
	assert_eq "$(dpkg-deb -f "$d" Conflicts)" containernetworking-plugins
	assert_eq "$(dpkg-deb -f "$d" Replaces)" containernetworking-plugins
	# linked dynamically: Debian's library updates reach the plugins, and
	# each library the executable needs is a dependency (libnftables, which
	# it loads when needed, by name)
	dpkg-deb -x "$d" "$T/plugins"
	assert_contains "$(objdump -p "$T/plugins/usr/lib/cni/ccni-plugin" | grep NEEDED)" libjansson.so.4
	local deps lib pkg
	deps=$(dpkg-deb -f "$d" Depends)
	assert_match "$deps" '^libnftables1, libc6 '
	for lib in $(objdump -p "$T/plugins/usr/lib/cni/ccni-plugin" | awk '/NEEDED/ {print $2}'); do
		pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)
		[ -z "$pkg" ] || assert_contains "$deps" "$pkg" "a dependency for $lib"
	done
	assert_eq "$(dpkg-deb -f "$(deb libccni-dev)" Depends)" "libccni0 (= $(dpkg-deb -f "$(deb libccni0)" Version)), libjansson-dev"
}

test_lintian_reports_no_error() {
	build_once
	local out rc=0
	out=$(lintian --fail-on error "$PKG"/ccni_*.changes 2>&1) || rc=$?
	assert_eq "$(printf '%s\n' "$out" | grep -c '^E:')" 0 "lintian errors: $out"
	assert_eq "$rc" 0 "lintian's exit status ($out)"
}

# The packaged plugins attach a namespace, the packaged command runs them
# and the packaged library builds and runs a program through pkg-config.
test_packaged_files_work() {
	build_once
	local p out
	for p in $PACKAGES; do dpkg-deb -x "$(deb $p)" "$T/root"; done
	out=$(_cni_run "$T/root/usr/lib/cni" loopback ADD '{"cniVersion":"1.0.0","name":"pk","type":"loopback"}')
	jq_eq "$out" '.interfaces[0].name' lo
	assert_contains "$(in_ns "$NETNS" ip -o link show lo)" "UP"
	mkdir -p "$T/net.d"
	printf '{"cniVersion":"1.0.0","name":"pk","plugins":[{"type":"loopback"}]}' >"$T/net.d/pk.conflist"
	out=$(env NETCONFPATH="$T/net.d" CNI_PATH="$T/root/usr/lib/cni" "$T/root/usr/bin/ccni" validate)
	assert_eq "$out" "1 file checked, 0 problems"
	command -v cc >/dev/null && command -v pkg-config >/dev/null || return 0
	out=$(PKG_CONFIG_PATH="$T/root/usr/lib/x86_64-linux-gnu/pkgconfig" \
		PKG_CONFIG_SYSROOT_DIR="$T/root" pkg-config --cflags --libs ccni)
	cc -o "$T/attach" "$top/examples/attach.c" $out ||
		fail "examples/attach.c does not build against libccni-dev"
	LD_LIBRARY_PATH="$T/root/usr/lib/x86_64-linux-gnu" ldd "$T/attach" |
		grep -q "$T/root/usr/lib/x86_64-linux-gnu/libccni.so.0" || fail "attach does not use the packaged libccni.so.0"
}

run_tests
rc=$?
rm -rf "$PKG"
exit $rc
