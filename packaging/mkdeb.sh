#!/bin/sh
# mkdeb.sh: build ckpt_<version>_amd64.deb from the built artefacts with
# dpkg-deb alone (no debhelper, no network).
#   packaging/mkdeb.sh [OUTDIR]      (run from anywhere; OUTDIR defaults
#                                     to the repository root)
# Needs libckpt.so and myrestart built (`make`); `make deb` does both.
# The version has one home: restart/main.c's #define VERSION.  There is no
# upstream tarball, so the package is native (version 0.1, changelog.gz);
# DEB_REVISION=1 makes it 0.1-1 with changelog.Debian.gz instead.
# DEB_MAINTAINER overrides the Maintainer field.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top}
cd "$top"

for f in libckpt.so myrestart ckpt-run include/ckpt.h man/myrestart.1 man/ckpt-run.1 man/libckpt.7; do
	[ -r "$f" ] || { echo "mkdeb: missing $f (run make first)" >&2; exit 1; }
done

upstream=$(sed -n 's/^#define VERSION "\([^"]*\)".*/\1/p' restart/main.c)
[ -n "$upstream" ] || { echo "mkdeb: no #define VERSION in restart/main.c" >&2; exit 1; }
if [ -n "${DEB_REVISION:-}" ]; then
	version=$upstream-$DEB_REVISION changelog=changelog.Debian.gz
else
	version=$upstream changelog=changelog.gz
fi
maint=${DEB_MAINTAINER:-ckpt authors <ckpt-authors@users.noreply.github.com>}
arch=amd64 multiarch=x86_64-linux-gnu
libdir=/usr/lib/$multiarch
# reproducible: the date of the last commit, else now
: "${SOURCE_DATE_EPOCH:=$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
date_r=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" -R)

stage=$top/build/deb/ckpt_${version}_$arch
rm -rf "$stage"
umask 022
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage$libdir/pkgconfig" "$stage/usr/include" \
	"$stage/usr/share/doc/ckpt" "$stage/usr/share/man/man1" "$stage/usr/share/man/man7" \
	"$stage/usr/share/lintian/overrides"

# --- programs and library ---
install -m 755 myrestart "$stage/usr/bin/myrestart"
# as `make install` does: ckpt-run preloads the library by absolute path
sed "s|^CKPT_LIB=\$|CKPT_LIB=$libdir/libckpt.so|" ckpt-run >"$stage/usr/bin/ckpt-run"
chmod 755 "$stage/usr/bin/ckpt-run"
grep -q "^CKPT_LIB=$libdir/libckpt.so\$" "$stage/usr/bin/ckpt-run" ||
	{ echo "mkdeb: could not set CKPT_LIB in ckpt-run" >&2; exit 1; }
# an LD_PRELOAD module (ckpt-run passes its path), never linked against:
# no SONAME, no symlinks, no shlibs; 0644 as Debian wants shared objects
install -m 644 libckpt.so "$stage$libdir/libckpt.so"
install -m 644 include/ckpt.h "$stage/usr/include/ckpt.h"

# --- pkg-config: the header only; ckpt.h's functions are weak references,
# so programs build and run without the library and are never linked to it
cat >"$stage$libdir/pkgconfig/ckpt.pc" <<EOF
prefix=/usr
includedir=\${prefix}/include
libdir=\${prefix}/lib/$multiarch
# the LD_PRELOAD module that ckpt-run(1) passes to programs
preload=\${libdir}/libckpt.so

Name: ckpt
Description: transparent checkpoint/restart of Linux processes (program API)
Version: $upstream
Cflags: -I\${includedir}
# Libs: none: libckpt.so is preloaded (ckpt-run), not linked
Libs:
EOF
chmod 644 "$stage$libdir/pkgconfig/ckpt.pc"

# --- man pages ---
for m in man/*.[1-8]; do
	sec=${m##*.}
	gzip -9n <"$m" >"$stage/usr/share/man/man$sec/${m##*/}.gz"
	chmod 644 "$stage/usr/share/man/man$sec/${m##*/}.gz"
done

# --- copyright (DEP-5) ---
{
	cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ckpt

Files: *
Copyright: 2026 the ckpt authors
License: MIT

License: MIT
EOF
	# the MIT text, each line indented, blank lines as " ."
	sed 's/^$/./; s/^/ /' <<'EOF'
Permission is hereby granted, free of charge, to any person obtaining a
copy of this software and associated documentation files (the "Software"),
to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense,
and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included
in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF
} >"$stage/usr/share/doc/ckpt/copyright"
chmod 644 "$stage/usr/share/doc/ckpt/copyright"

# --- changelog (Debian format) ---
cat <<EOF | gzip -9n >"$stage/usr/share/doc/ckpt/$changelog"
ckpt ($version) unstable; urgency=medium

  * Package built from commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown).
  * Installs myrestart and ckpt-run in /usr/bin, libckpt.so in
    $libdir, ckpt.h, ckpt.pc and the man pages.

 -- $maint  $date_r
EOF
chmod 644 "$stage/usr/share/doc/ckpt/$changelog"

# --- lintian overrides, each with why ---
cat >"$stage/usr/share/lintian/overrides/ckpt" <<'EOF'
# myrestart is static on purpose: it replaces its own memory with the
# image's, so it must not depend on ld.so or libc mappings.
ckpt: statically-linked-binary [usr/bin/myrestart]
# libckpt.so is an LD_PRELOAD module loaded by absolute path (ckpt-run),
# not a library that programs link against (ckpt.h uses weak references):
# no SONAME, no shlibs, no libckpt0 package.
ckpt: sharedobject-in-library-directory-missing-soname [usr/lib/x86_64-linux-gnu/libckpt.so]
# libckpt.so is freestanding: it makes its system calls itself and needs
# no libc, so it has no DT_NEEDED entries.
ckpt: shared-library-lacks-prerequisites [usr/lib/x86_64-linux-gnu/libckpt.so]
EOF
chmod 644 "$stage/usr/share/lintian/overrides/ckpt"

# --- control, md5sums ---
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: ckpt
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Section: utils
Priority: optional
Suggests: qemu-user
Description: transparent checkpoint/restart for Linux x86-64 processes
 ckpt saves a running process to an image file and restarts it later from
 that image, without changes to the program.  ckpt-run starts a program
 with the libckpt.so module preloaded; the checkpoint signal (SIGUSR2 by
 default) or a timer then writes the image, and myrestart, a small static
 program, restores the process from it: memory, registers, threads, file
 descriptors, pipes, socket pairs, signals and more.
 .
 Programs may also use the API in ckpt.h (pkg-config ckpt) to take
 checkpoints themselves and to be called back around them; they build
 and run without the library.
EOF
(cd "$stage" && find usr -type f ! -path '*/DEBIAN/*' | LC_ALL=C sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 755 {} +

mkdir -p "$out"
deb=$out/ckpt_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "mkdeb: $deb"
