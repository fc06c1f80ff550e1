// Stage console script for mass addresses (/addresses/<id>/stage): the
// speaker publishes their microphone (and camera when allowed) into the
// stage room that the relay carries into every listener room. Bundled with
// livekit-client by scripts/build-livekit-client.sh into
// templates/static/stage.js, embedded in the binary; no CDN.
//
// The page (templates/html/stage.html) carries the LiveKit address and a
// short-lived speaker token in data- attributes of #stage; texts in both
// languages are in the HTML and shown by state through CSS
// ([data-when~=state]), so this script has no words. States
// (body[data-state]): ready, connecting, live, muted, error.
// #stage[data-audio] is "1" while the microphone track is published and
// [data-error] holds the last error, for support and the end-to-end test.
import { Room, RoomEvent, Track } from 'livekit-client';

const root = document.getElementById('stage');
const d = root.dataset;

function setState(s) {
  document.body.dataset.state = s;
  root.dataset.state = s;
}

function fail(e) {
  root.dataset.error = String((e && e.message) || e);
  setState('error');
}

let room = null;

function micMuted() {
  const pub = room && room.localParticipant.getTrackPublication(Track.Source.Microphone);
  return !pub || pub.isMuted;
}

function showMuteState() {
  if (!room) return;
  setState(micMuted() ? 'muted' : 'live');
}

async function goLive() {
  setState('connecting');
  room = new Room({ adaptiveStream: false, dynacast: true });
  room.on(RoomEvent.TrackMuted, (pub, p) => { if (p === room.localParticipant) showMuteState(); });
  room.on(RoomEvent.TrackUnmuted, (pub, p) => { if (p === room.localParticipant) showMuteState(); });
  room.on(RoomEvent.LocalTrackUnpublished, (pub) => {
    if (pub.source === Track.Source.Microphone) root.dataset.audio = '0';
  });
  room.on(RoomEvent.Disconnected, (reason) => {
    root.dataset.audio = '0';
    fail('disconnected (' + reason + ')');
  });
  try {
    await room.connect(d.lkws, d.token);
  } catch (e) {
    fail(e);
    return;
  }
  try {
    await room.localParticipant.setMicrophoneEnabled(true);
  } catch (e) {
    // No microphone or permission denied: nothing to say on the stage.
    root.dataset.micError = String((e && e.message) || e);
    fail(e);
    return;
  }
  root.dataset.audio = '1';
  const cam = document.getElementById('camera');
  if (d.camera === '1' && cam && cam.checked) {
    try {
      const pub = await room.localParticipant.setCameraEnabled(true);
      if (pub && pub.track) {
        const box = document.getElementById('preview');
        box.replaceChildren(pub.track.attach());
        box.hidden = false;
      }
      root.dataset.video = '1';
    } catch (e) {
      // Camera refused or absent: the address goes on audio only.
      root.dataset.video = '0';
      root.dataset.cameraError = String((e && e.message) || e);
    }
  }
  showMuteState();
}

async function setMuted(muted) {
  if (!room) return;
  try {
    await room.localParticipant.setMicrophoneEnabled(!muted);
  } catch (e) {
    fail(e);
    return;
  }
  showMuteState();
}

function init() {
  if (!d.token) {
    setState('error');
    return;
  }
  setState('ready');
  document.getElementById('golive').addEventListener('click', () => { if (!room) goLive(); });
  document.getElementById('mute').addEventListener('click', () => setMuted(true));
  document.getElementById('unmute').addEventListener('click', () => setMuted(false));
  // The token in the page is short-lived: a retry brings a fresh page.
  document.getElementById('retry').addEventListener('click', () => location.reload());
}

init();
