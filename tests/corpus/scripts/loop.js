// node: its event loop (libuv: epoll, eventfd, a thread pool, signal
// pipes) and V8's heap (kept from children with MADV_DONTFORK) at work: a
// deterministic computation in chunks, each chunk scheduled from a
// promise, a setImmediate or a 1 ms timer in turn, printing as it goes;
// N chunks from argv.
const n = Number(process.argv[2]);
let h = 0n, i = 0;
const seen = new Map();
function chunk() {
  for (let k = 0; k < 2000; k++) {
    i++;
    h = (h * 1000003n + BigInt(i) * BigInt(i)) % (1n << 61n);
    const key = Number(h % 10007n);
    seen.set(key, (seen.get(key) || 0) + 1);
  }
  console.log(i, h.toString(), seen.size);
  if (i >= n * 2000) return;
  const next = (i / 2000) % 3;
  if (next === 0) Promise.resolve().then(chunk);
  else if (next === 1) setImmediate(chunk);
  else setTimeout(chunk, 1);
}
chunk();
