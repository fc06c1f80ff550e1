// Per-core mint rate of the npm livekit-server-sdk AccessToken.toJwt, with
// the same claims karyakram's Go Minter benchmark uses (a listener token).
// Node runs JavaScript on one core, so the rate printed is per core.
//
//   node mint.mjs [seconds]
import { AccessToken } from 'livekit-server-sdk';

const seconds = Number(process.argv[2] ?? 5);

async function mint() {
  const at = new AccessToken('devkey', 'secret', { identity: 'w-1234567', name: 'Ramesh Kumar', ttl: '10m' });
  at.addGrant({ roomJoin: true, room: 'addr-42-d17-3', canSubscribe: true, canPublish: false, canPublishData: false });
  return at.toJwt();
}

async function run(ms) {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await mint();
    n += 100;
  }
  return n;
}

await run(1000); // warm up the JIT
const start = performance.now();
const n = await run(seconds * 1000);
const elapsed = (performance.now() - start) / 1000;
const sample = await mint();
console.log(JSON.stringify({
  impl: 'npm livekit-server-sdk AccessToken.toJwt',
  node: process.version,
  tokens: n,
  seconds: Number(elapsed.toFixed(3)),
  perSecond: Math.round(n / elapsed),
  nsPerToken: Math.round((elapsed * 1e9) / n),
  sampleLength: sample.length,
}));
