#!/bin/bash
# make bench-criu: build CRIU 4.x, the peer `make bench` measures beside us,
# into a cache directory outside the repository:
#     ${CKPT_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/ckpt-peers}/criu/criu
# Debian 12 ships criu 3.17, which fails on current kernels ("Unexpected rt
# vDSO area bounds"), so the source comes from Debian trixie, through apt with
# a private state directory under the cache (the system's apt sources are left
# alone): the upstream tarball is checked against the signed Sources index.
# Only the criu binary is built; build dependencies come from bookworm.
# Needs root (apt-get install; criu itself needs root to run).  Idempotent:
# a criu 4.x already in place is kept (FORCE=1 rebuilds); the downloaded
# source and the build tree are reused.  Prints the binary's path last.
set -euo pipefail

CACHE=${CKPT_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/ckpt-peers}
DEST=$CACHE/criu
APTDIR=$CACHE/apt
SRC=$CACHE/src
export DEBIAN_FRONTEND=noninteractive

say() { echo "bench-criu: $*" >&2; }

if [ -z "${FORCE:-}" ] && "$DEST/criu" --version 2>/dev/null | grep -q '^Version: 4\.'; then
	say "already built: $("$DEST/criu" --version | head -1) at $DEST/criu"
	echo "$DEST/criu"
	exit 0
fi
[ "$(id -u)" = 0 ] || { say "needs root (apt-get install of the build dependencies)"; exit 1; }

# apt, but reading only trixie's deb-src from a state directory of our own
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/parts" "$SRC" "$DEST"
cat > "$APTDIR/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN_MIRROR:-http://deb.debian.org/debian} trixie main
EOF
APT=(-o APT::Sandbox::User=root -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts="$APTDIR/parts"
     -o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache" -o APT::Get::List-Cleanup=0)
showsrc() { apt-cache "${APT[@]}" showsrc criu 2>/dev/null; }
if ! showsrc | grep -q '^Version: 4\.'; then
	say "fetching trixie's Sources index"
	apt-get "${APT[@]}" update >&2
fi
ver=$(showsrc | awk '/^Version: 4\./ {print $2; exit}')
[ -n "$ver" ] || { say "no criu 4.x in trixie's Sources index"; exit 1; }
up=${ver#*:}; up=${up%-*}
orig=criu_$up.orig.tar.xz
tree=$SRC/criu-$up

if [ ! -f "$tree/Makefile" ]; then
	cd "$SRC"
	if [ ! -f "$orig" ]; then
		say "downloading criu $ver source"
		# the .dsc or the Debian tarball may fail on some mirrors; the upstream
		# tarball is all we need, and it is checked below
		apt-get "${APT[@]}" source --download-only criu="$ver" >&2 || true
	fi
	[ -f "$orig" ] || { say "could not download $orig"; exit 1; }
	want=$(showsrc | awk -v v="$ver" -v f="$orig" '
		/^Version:/ {cur = $2} /^Checksums-Sha256:/ {in_s = 1; next} /^[^ ]/ {in_s = 0}
		in_s && cur == v && $3 == f {print $1; exit}')
	have=$(sha256sum "$orig" | cut -d' ' -f1)
	[ -n "$want" ] && [ "$want" = "$have" ] || { say "SHA-256 of $orig is $have, the index says '$want'"; exit 1; }
	rm -rf "$tree.tmp" && mkdir "$tree.tmp"
	tar -xf "$orig" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
fi

say "installing the build dependencies (bookworm)"
apt-get install -y --no-install-recommends build-essential pkg-config xz-utils \
	libprotobuf-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler python3-protobuf \
	libnl-3-dev libnet1-dev libcap-dev libbsd-dev libgnutls28-dev libnftables-dev uuid-dev libdrm-dev >&2

say "building criu $up in $tree"
make -C "$tree" -j"$(nproc)" criu >&2
install -m 0755 "$tree/criu/criu" "$DEST/criu"
"$DEST/criu" --version >&2
"$DEST/criu" check >&2 || say "warning: criu check reports problems (see above)"
echo "$DEST/criu"
