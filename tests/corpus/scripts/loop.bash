# bash: builtins only (no command is forked), arithmetic, arrays, strings.
n=$1 h=0 i=0
declare -a a
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	h=$(((h * 131 + i) % 1000003))
	a[$((h % 97))]=$i
	if [ $((i % 2000)) -eq 0 ]; then
		s=${#a[@]}
		printf '%d %d %d %s\n' "$i" "$h" "$s" "${a[5]:-none}"
	fi
done
