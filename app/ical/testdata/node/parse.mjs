// Parses an iCalendar feed from stdin with ical.js (an independent RFC 5545
// implementation) and prints what it understood as JSON, for app/ical's Go
// tests. Times are UTC ISO strings. Recurring masters list their first
// occurrences (ical.js applies RRULE and EXDATE itself).
//
//   node parse.mjs [occurrences-per-series] < feed.ics
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const maxOcc = Number(process.argv[2] || 12);
const text = readFileSync(0, 'utf8');
const cal = new ICAL.Component(ICAL.parse(text));
for (const tz of cal.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(tz);
}
const iso = (t) => (t ? t.toJSDate().toISOString() : null);
const party = (p) => (p ? {
  value: String(p.getFirstValue() ?? ''),
  cn: p.getParameter('cn') ?? '',
  partstat: p.getParameter('partstat') ?? '',
  rsvp: String(p.getParameter('rsvp') ?? ''),
} : null);
const out = {
  method: String(cal.getFirstPropertyValue('method') ?? ''),
  name: cal.getFirstPropertyValue('x-wr-calname'),
  refresh: String(cal.getFirstPropertyValue('refresh-interval') ?? ''),
  ttl: String(cal.getFirstPropertyValue('x-published-ttl') ?? ''),
  timezones: cal.getAllSubcomponents('vtimezone').map((tz) => tz.getFirstPropertyValue('tzid')),
  events: [],
};
for (const ve of cal.getAllSubcomponents('vevent')) {
  const ev = new ICAL.Event(ve);
  const item = {
    uid: ev.uid,
    summary: ev.summary,
    location: ev.location ?? '',
    description: ev.description ?? '',
    status: String(ve.getFirstPropertyValue('status') ?? ''),
    sequence: ev.sequence,
    dtstamp: iso(ve.getFirstPropertyValue('dtstamp')),
    start: iso(ev.startDate),
    end: iso(ev.endDate),
    startTzid: ev.startDate.zone ? ev.startDate.zone.tzid : '',
    recurrenceId: ev.recurrenceId ? iso(ev.recurrenceId) : null,
    rrule: ve.getFirstPropertyValue('rrule') ? ve.getFirstPropertyValue('rrule').toString() : '',
    exdates: ve.getAllProperties('exdate').flatMap((p) => p.getValues().map(iso)),
    url: String(ve.getFirstPropertyValue('url') ?? ''),
    organizer: party(ve.getFirstProperty('organizer')),
    attendees: ve.getAllProperties('attendee').map(party),
    occurrences: [],
  };
  if (ev.isRecurring() && !ev.isRecurrenceException()) {
    const it = ev.iterator();
    for (let next = it.next(), n = 0; next && n < maxOcc; next = it.next(), n++) {
      item.occurrences.push(iso(next));
    }
  }
  out.events.push(item);
}
process.stdout.write(JSON.stringify(out));
