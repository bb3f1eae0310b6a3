# dash (POSIX sh): builtins only, arithmetic and string work.
n=$1 h=0 i=0 w=x
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	h=$(((h * 131 + i) % 1000003))
	case $((h % 3)) in 0) w=a ;; 1) w=b ;; *) w=c ;; esac
	if [ $((i % 4000)) -eq 0 ]; then
		printf '%d %d %s\n' "$i" "$h" "$w"
	fi
done
