// Join page script for mass addresses (/j/<token>). Bundled with
// livekit-client by scripts/build-livekit-client.sh into
// templates/static/join.js, embedded in the binary; no CDN.
//
// The page (templates/html/join.html) carries everything in data-
// attributes of #join; texts in both languages are in the HTML and shown
// by state through CSS ([data-when~=state]), so this script has no words.
// States (body[data-state]): before, ready, connecting, live,
// reconnecting, ended. #join[data-bytes] / [data-packets] count the audio
// received, for people debugging a bad line and for the end-to-end test.
import { Room, RoomEvent, Track, VideoQuality } from 'livekit-client';

const root = document.getElementById('join');
const d = root.dataset;
const skew = Number(d.now) - Date.now(); // server clock minus ours

function setState(s) {
  document.body.dataset.state = s;
  root.dataset.state = s;
}

function two(n) { return (n < 10 ? '0' : '') + n; }

function countdown() {
  const el = document.getElementById('countdown');
  const opens = Number(d.opens);
  const tick = () => {
    const left = Math.max(0, Math.floor((opens - (Date.now() + skew)) / 1000));
    if (el) {
      const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (h > 0 ? h + ':' : '') + two(m) + ':' + two(s);
    }
    if (left <= 0) {
      // Rooms are open: a fresh page brings a LiveKit token.
      location.reload();
      return;
    }
    setTimeout(tick, 1000);
  };
  tick();
}

// goodBandwidth says whether to take the speaker's video too.
function goodBandwidth() {
  const c = navigator.connection;
  if (!c) return true;
  if (c.saveData) return false;
  if (typeof c.downlink === 'number' && c.downlink > 0 && c.downlink < 1) return false;
  if (c.effectiveType && /(^|-)2g$|^3g$/.test(c.effectiveType)) return false;
  return true;
}

let room = null;
let failures = 0;
const audioTracks = new Set();

function subscribe(pub) {
  if (pub.kind === Track.Kind.Audio) {
    pub.setSubscribed(true);
  } else if (pub.kind === Track.Kind.Video && goodBandwidth()) {
    pub.setSubscribed(true);
    pub.setVideoQuality(VideoQuality.LOW);
  }
}

async function stats() {
  let bytes = 0, packets = 0;
  for (const t of audioTracks) {
    const r = t.receiver;
    if (!r) continue;
    try {
      const rep = await r.getStats();
      rep.forEach((s) => {
        if (s.type === 'inbound-rtp') {
          bytes += s.bytesReceived || 0;
          packets += s.packetsReceived || 0;
        }
      });
    } catch (e) { /* closed track */ }
  }
  root.dataset.bytes = String(bytes);
  root.dataset.packets = String(packets);
}

async function connect() {
  setState(failures ? 'reconnecting' : 'connecting');
  room = new Room({ adaptiveStream: true, dynacast: false });
  room.on(RoomEvent.TrackPublished, subscribe);
  room.on(RoomEvent.TrackSubscribed, (track) => {
    if (track.kind === Track.Kind.Audio) {
      audioTracks.add(track);
      document.body.appendChild(track.attach());
    } else if (track.kind === Track.Kind.Video) {
      const box = document.getElementById('video');
      box.replaceChildren(track.attach());
      box.hidden = false;
    }
  });
  room.on(RoomEvent.TrackUnsubscribed, (track) => {
    audioTracks.delete(track);
    track.detach().forEach((el) => el.remove());
    if (track.kind === Track.Kind.Video) document.getElementById('video').hidden = true;
  });
  room.on(RoomEvent.Reconnecting, () => setState('reconnecting'));
  room.on(RoomEvent.Reconnected, () => setState('live'));
  room.on(RoomEvent.Disconnected, () => {
    if (document.body.dataset.state === 'ended') return;
    retry();
  });
  try {
    await room.connect(d.lkws, d.token, { autoSubscribe: false });
  } catch (e) {
    root.dataset.error = String(e && e.message || e);
    retry();
    return;
  }
  failures = 0;
  room.remoteParticipants.forEach((p) => p.trackPublications.forEach(subscribe));
  await room.startAudio().catch(() => {});
  setState('live');
}

function retry() {
  failures++;
  setState('reconnecting');
  // The token in the page is short-lived: after a few minutes of trying,
  // a fresh page brings a fresh one.
  if (failures > 40) {
    location.reload();
    return;
  }
  setTimeout(connect, Math.min(10000, 1000 * failures));
}

function init() {
  const phase = d.phase;
  if (phase === 'before') {
    setState('before');
    countdown();
    return;
  }
  if (phase !== 'open') {
    setState(phase);
    return;
  }
  setState('ready');
  if (d.ended) {
    setTimeout(() => location.reload(), Math.max(1000, Number(d.ended) - (Date.now() + skew)));
  }
  document.getElementById('listen').addEventListener('click', () => {
    if (!room) connect();
    else room.startAudio();
  });
  setInterval(stats, 1000);
}

init();
