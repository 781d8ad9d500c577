// The kiosk's end of a video call: wait in the queue, then talk. When the call ends, the kiosk resets
// exactly as after inactivity (the same form), or shows the ticket if the adviser booked.
import { Peer, callPage, localMedia } from './call.js'

// Words in the resident's language, from the page (app/templates/kiosk/call.html).
const words = JSON.parse(document.getElementById('kiosk-call').dataset.words)
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? '')
const { root, channel, chat, say } = callPage('kiosk-call', words.adviser, words)
const localVideo = document.getElementById('call-local')
const callBack = document.getElementById('call-back-section')
const booked = document.getElementById('call-booked')
let peer = null
let generation = 0
let finished = false

async function offer () {
  generation += 1
  await peer.offer(generation)
}

function finish (news) {
  if (finished) return
  finished = true
  channel.stop()
  if (peer) peer.stopMedia()
  if (news.booked) window.location.assign(root.dataset.ticketUrl)
  else document.getElementById('kiosk-reset-form').submit() // what inactivity does
}

async function onNews (news) {
  if (news.status === 'ended') return finish(news)
  if (news.status === 'waiting') {
    say(fill(news.agents_free ? words.waiting_free : words.waiting_busy, { position: news.position }))
  } else if (news.status === 'connected') {
    if (callBack) callBack.hidden = true
    chat.enable(true)
    document.dispatchEvent(new CustomEvent('kiosk:hold')) // nobody needs to touch the screen while talking
    if (!peer.pc) say(fill(words.connecting, { agent: news.agent || words.an_adviser }))
  }
  if (news.booked && booked.hidden) {
    document.getElementById('call-booked-reference').textContent = news.booked
    booked.hidden = false
  }
  for (const signal of news.signals) {
    if (signal.kind === 'ready') await offer() // the adviser's page is ready: (re)connect
    else if (signal.kind === 'answer') await peer.takeAnswer(signal.data)
    else if (signal.kind === 'candidate') await peer.takeCandidate(signal.data)
    else chat.take(signal)
  }
  peer.agent = news.agent
}

async function main () {
  const media = await localMedia(root.dataset.mode)
  if (media.stream) localVideo.srcObject = media.stream
  localVideo.closest('figure').hidden = !media.stream || media.mode !== 'video'
  if (media.mode !== root.dataset.mode) await channel.send('media', { mode: media.mode })
  if (media.mode === 'text') chat.add('', words.no_microphone)
  else if (media.mode === 'voice' && root.dataset.mode === 'video') chat.add('', words.no_camera)
  peer = new Peer({
    iceServers: JSON.parse(root.dataset.iceServers || '[]'),
    stream: media.stream,
    remoteVideo: document.getElementById('call-remote'),
    channel,
    onState: state => {
      if (state === 'connected') say(fill(words.talking, { agent: peer.agent || words.an_adviser }))
      if (state === 'failed') say(words.video_stopped)
    }
  })
  // A reloaded page during a call offers at once; a new call waits for the adviser's "ready".
  const first = await fetch(`${root.dataset.newsUrl}?after=${channel.after}`, { credentials: 'same-origin', cache: 'no-store' })
  if (first.ok) {
    const news = await first.json()
    if (news.status === 'connected') await offer()
  }
  channel.listen(onNews)
}

// Leaving the page (End call, Start again, Ask for help) ends this end of the call: the page must
// not then submit the reset form a second time when the server says the call has ended.
function leaving () {
  finished = true
  channel.stop()
}
document.getElementById('kiosk-reset-form').addEventListener('submit', leaving)
window.addEventListener('beforeunload', leaving)
window.addEventListener('pagehide', () => { if (peer) peer.stopMedia() })
main()
