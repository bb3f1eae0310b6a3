# openssl speed's output through a filter: its rates differ from run to
# run, so each one (a table row's "123.45k", or "123.45" below 10000)
# becomes "positive" or says what it is; every other line (version,
# options, the table's header, the row's algorithm and its number of
# columns) must be equal as it is.
function rate(f) { return f ~ /^-?([0-9]+\.?[0-9]*|\.[0-9]+)k?$/ }
$1 != "type" && NF > 1 && !rate($1) {
	for (i = 2; i <= NF && rate($i); i++)
		;
	if (i > NF) {
		row = $1
		for (i = 2; i <= NF; i++)
			row = row " " ($i + 0 > 0 ? "positive" : "NOT-POSITIVE(" $i ")")
		print row
		next
	}
}
{ print }
