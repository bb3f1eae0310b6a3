# tclsh: lists, dicts and string work, printed as it goes.
set n [lindex $argv 0]
set h 0
set d [dict create]
for {set i 1} {$i <= $n} {incr i} {
	set h [expr {($h * 131 + $i) % 1000003}]
	dict incr d [expr {$h % 997}]
	if {$i % 4000 == 0} {
		puts "$i $h [dict size $d] [string reverse [format %07d $h]]"
		flush stdout
	}
}
