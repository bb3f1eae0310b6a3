# Sourced by tests/run.sh: myrestart against damaged images.  Every damaged
# image must be refused before the point of no return: exit status 1,
# exactly one line on stderr, no signal, no hang.

image_case() {  # image_case NAME IMAGE WANT_REGEX [OPTIONS]
	local name=image-damage/$1 img=$2 want=$3 rc; shift 3
	timeout 20 ${IC_RUNNER-$RUNNER} "$MYRESTART" "$@" "$img" >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	if [ $rc -ne 1 ]; then
		report "$name" 0 "exit status $rc, want 1"
	elif [ "$(wc -l <"$W/err")" -ne 1 ] || ! grep -Eq "$want" "$W/err"; then
		report "$name" 0 "stderr: $(head -c 300 "$W/err")"
	else
		report "$name" 1
	fi
}

damage_sweep() {  # many damaged copies, counted as one case
	local img=$1 size i off rc bad=0 tried=0 f=$W/d.img
	size=$(stat -c %s "$img")
	# every truncation length class: inside the header, the data, the records
	for off in 0 1 7 64 127 4095 4096 4097 8191 $((size / 2)) $((size - 4097)) \
		   $((size - 4096)) $((size - 100)) $((size - 8)) $((size - 1)); do
		[ "$off" -ge 0 ] && [ "$off" -lt "$size" ] || continue
		head -c "$off" "$img" >"$f"
		timeout 20 $RUNNER "$MYRESTART" --check "$f" >/dev/null 2>"$W/err"; rc=$?
		tried=$((tried + 1))
		[ $rc -eq 1 ] && [ "$(wc -l <"$W/err")" -eq 1 ] || { bad=$((bad + 1)); echo "#   truncated at $off: rc $rc"; }
	done
	# byte flips in the header, the record table and the page data
	for i in $(seq 1 60); do
		cp "$img" "$f"
		case $((i % 3)) in
		0) off=$((RANDOM % 128)) ;;
		1) off=$((size - 1 - (RANDOM * 32768 + RANDOM) % (size / 8 > 0 ? size / 8 : 1))) ;;
		2) off=$((4096 + (RANDOM * 32768 + RANDOM) % (size - 4096))) ;;
		esac
		printf "\\x$(printf %02x $(((RANDOM % 255) + 1)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
		cmp -s "$img" "$f" && continue
		timeout 20 $RUNNER "$MYRESTART" --check "$f" >/dev/null 2>"$W/err"; rc=$?
		tried=$((tried + 1))
		[ $rc -eq 1 ] && [ "$(wc -l <"$W/err")" -eq 1 ] || { bad=$((bad + 1)); echo "#   flip at $off: rc $rc"; }
	done
	echo "#   $tried damaged images tried"
	report image-damage/sweep $([ $bad -eq 0 ] && echo 1 || echo 0) "$bad of $tried accepted or crashed"
}

case_image_damage() {
	launch "$W/seg0" "$BIN/counter"
	if wait_lines "$W/seg0" 2 $((20 * QEMU_SLOW)) && kill -USR2 "$PID" && wait_image $((20 * QEMU_SLOW)); then
		stop "$PID"; wait "$PID" 2>/dev/null
		IMG=$W/myckpt
		timeout 20 $RUNNER "$MYRESTART" --check "$IMG" >"$W/out" 2>&1
		report image-damage/check-ok $([ "$(cat "$W/out")" = ok ] && echo 1 || echo 0) "$(cat "$W/out")"
		image_case missing-file "$W/nonexistent" 'cannot open: no such file'
		: >"$W/empty"; image_case empty-file "$W/empty" 'empty file'
		head -c 100 "$IMG" >"$W/short"; image_case short-header "$W/short" 'truncated image'
		head -c $(($(stat -c %s "$IMG") - 4096)) "$IMG" >"$W/trunc"; image_case truncated "$W/trunc" 'truncated image'
		cp "$IMG" "$W/magic"; printf 'XXXX' | dd of="$W/magic" conv=notrunc status=none
		image_case bad-magic "$W/magic" 'not a ckpt image'
		# an image of another machine (aarch64's e_machine), checksum right:
		# refused before anything machine-specific is read
		python3 "$ROOT/tests/progs/imgedit.py" "$IMG" "$W/machine" machine >/dev/null
		image_case other-machine "$W/machine" 'taken on another machine \(ELF machine 183\); this myrestart restores x86-64 images'
		cp "$IMG" "$W/data"; printf '\xff\xfe' | dd of="$W/data" bs=1 seek=$((4096 + 100)) conv=notrunc status=none
		image_case data-checksum "$W/data" 'bad checksum in region [0-9]+ \('
		image_case data-checksum-restart "$W/data" 'bad checksum in region'
		# the other runner refuses the image, before touching anything
		if [ -n "$RUNNER" ]; then
			IC_RUNNER= image_case cross-runner "$IMG" 'taken under qemu-x86_64; restart it with qemu-x86_64'
		else
			IC_RUNNER=$QEMU image_case cross-runner "$IMG" 'taken natively; restart it without qemu-x86_64'
		fi
		damage_sweep "$IMG"
		timeout 10 $RUNNER "$MYRESTART" --bogus "$IMG" >/dev/null 2>"$W/err"
		report image-damage/usage-exit-2 $([ $? -eq 2 ] && echo 1 || echo 0) "unknown option not refused with 2"
	else
		stop "$PID"
		report image-damage 0 "could not take an image"
	fi
}
def_case image-damage case_image_damage
