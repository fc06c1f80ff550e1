// Encodes the same 10,000-event district feed as app/ical's benchFeed with
// npm ical-generator and reports the time, for bench/ical/run.sh.
//
//   node generate.mjs [events] [runs] [out.ics]
//
// Prints one JSON line: {"events":N,"runs":R,"best_ms":…,"median_ms":…,"bytes":…}.
// Keep the data in step with benchFeed in app/ical/bench_test.go.
import { writeFileSync } from 'node:fs';
import ical, { ICalEventStatus, ICalEventRepeatingFreq, ICalWeekday } from 'ical-generator';

const n = Number(process.argv[2] || 10000);
const runs = Number(process.argv[3] || 3);
const outFile = process.argv[4] || '';

const types = ['sports', 'speech', 'meeting', 'training', 'listening', 'address'];
// IST is UTC+05:30 with no daylight saving: wall time -> UTC by subtracting 5.5 h.
const ist = (y, m, d, hh, mm) => new Date(Date.UTC(y, m - 1, d, hh, mm) - 5.5 * 3600 * 1000);
const stamp = new Date(Date.UTC(2025, 3, 20, 9, 0));

function events() {
  const out = [];
  for (let i = 0; i < n; i++) {
    const unit = 1000 + (i % 6400);
    const type = types[i % types.length];
    let start = ist(2025, 5, 4 + (i % 14), 10 + (i % 5), 0);
    let end = new Date(start.getTime() + 2 * 3600 * 1000);
    let status = ICalEventStatus.CONFIRMED;
    if (i % 50 === 0) status = ICalEventStatus.CANCELLED;
    else if (i % 7 === 0) status = ICalEventStatus.TENTATIVE;
    const ev = {
      id: `event-${i + 1}@karyakram`,
      sequence: i % 4,
      stamp,
      lastModified: new Date(stamp.getTime() + i * 1000),
      start,
      end,
      summary: `Cluster ${unit} ${type} programme / क्लस्टर ${unit} कार्यक्रम: खेल, भाषण और बैठक`,
      description: `Steering committee event ${i}; organisers and guests confirmed, venue booked.`,
      location: {
        title: `Panchayat Bhavan, Village ${i % 997}, Mandal ${i % 120}`,
        geo: { lat: 24 + (i % 500) * 0.01, lon: 78 + (i % 700) * 0.01 },
      },
      categories: [{ name: type }],
      status,
    };
    if (i % 10 === 0) {
      ev.start = ist(2025, 5, 25, 11, 0); // a last Sunday
      ev.end = new Date(ev.start.getTime() + 30 * 60 * 1000);
      ev.repeating = {
        freq: ICalEventRepeatingFreq.MONTHLY,
        byDay: [ICalWeekday.SU],
        bySetPos: -1,
        exclude: [ist(2025, 6, 29, 11, 0)],
      };
    }
    out.push(ev);
  }
  return out;
}

function render(evs) {
  const cal = ical({ name: 'Lucknow district — लखनऊ ज़िला', ttl: 3600, prodId: '//karyakram//bench//EN' });
  for (const ev of evs) cal.createEvent(ev);
  return cal.toString();
}

const evs = events();
render(evs.slice(0, 200)); // warm up the JIT
const times = [];
let text = '';
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  text = render(evs);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
if (outFile) writeFileSync(outFile, text);
console.log(JSON.stringify({
  events: n,
  runs,
  best_ms: +times[0].toFixed(1),
  median_ms: +times[Math.floor(times.length / 2)].toFixed(1),
  bytes: Buffer.byteLength(text),
}));
