// node: a deterministic computation that prints as it goes (a running
// hash, a map that grows, an array sorted now and then), N steps from
// argv; node's own threads (V8's platform workers, libuv's) run beside it.
const n = Number(process.argv[2]);
const seen = new Map();
let h = 0;
for (let i = 1; i <= n; i++) {
	h = (h * 31 + i * i) % 1000000007;
	const k = h % 10007;
	seen.set(k, (seen.get(k) || 0) + 1);
	if (i % 20000 === 0) {
		const top = [...seen.values()].sort((a, b) => b - a).slice(0, 3);
		process.stdout.write(`${i} ${h} ${seen.size} ${top.join(',')}\n`);
	}
}
