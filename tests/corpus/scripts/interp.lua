-- lua: tables and string work, printed as it goes.
local n = tonumber(arg[1])
local h, t, cnt = 0, {}, 0
for i = 1, n do
	h = (h * 131 + i) % 1000003
	local k = h % 4999
	if not t[k] then cnt = cnt + 1 end
	t[k] = (t[k] or 0) + 1
	if i % 20000 == 0 then
		io.write(i, " ", h, " ", cnt, " ", string.rep(string.char(97 + h % 26), 3), "\n")
		io.flush()
	end
end
