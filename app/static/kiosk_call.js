// The kiosk's end of a video call: wait in the queue, then talk. When the call ends, the kiosk resets
// exactly as after inactivity (the same form), or shows the ticket if the adviser booked.
import { Peer, callPage, localMedia } from './call.js'

const { root, channel, chat, say } = callPage('kiosk-call', 'Adviser')
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
    say(news.agents_free
      ? `You are number ${news.position} in the queue. An adviser will answer soon.`
      : `All our advisers are busy. You are number ${news.position} in the queue.`)
  } else if (news.status === 'connected') {
    if (callBack) callBack.hidden = true
    chat.enable(true)
    document.dispatchEvent(new CustomEvent('kiosk:hold')) // nobody needs to touch the screen while talking
    if (!peer.pc) say(`Connecting you to ${news.agent || 'an adviser'}.`)
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
  if (media.mode === 'text') chat.add('', 'There is no microphone here, so you can type to the adviser. You will still see and hear them.')
  else if (media.mode === 'voice' && root.dataset.mode === 'video') chat.add('', 'There is no camera here, so this is a voice call.')
  peer = new Peer({
    iceServers: JSON.parse(root.dataset.iceServers || '[]'),
    stream: media.stream,
    remoteVideo: document.getElementById('call-remote'),
    channel,
    onState: state => {
      if (state === 'connected') say(`You are talking to ${peer.agent || 'an adviser'}.`)
      if (state === 'failed') say('The video has stopped. You can still type to the adviser.')
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
