// The agent's end of a kiosk video call: say "ready", answer the kiosk's offer, talk, type, book in
// another tab. When the resident leaves, say so and stop the camera.
import { Peer, callPage, localMedia } from './call.js'

const { root, channel, chat, say } = callPage('agent-call', 'Resident')
const mode = document.getElementById('call-mode')
let peer = null
let bookedShown = null

async function onNews (news) {
  if (mode && news.mode && mode.textContent !== news.mode) mode.textContent = news.mode
  if (news.booked && news.booked !== bookedShown) {
    bookedShown = news.booked
    chat.add('', `Booked: reference ${news.booked}. The kiosk shows it and the resident can print a ticket.`)
  }
  for (const signal of news.signals) {
    if (signal.kind === 'offer') await peer.takeOffer(signal.data)
    else if (signal.kind === 'candidate') await peer.takeCandidate(signal.data)
    else chat.take(signal)
  }
  if (news.status === 'ended') {
    channel.stop()
    peer.stopMedia()
    chat.enable(false)
    say('The resident has left the call.')
  }
}

async function main () {
  const media = await localMedia('video')
  if (media.stream) document.getElementById('call-local').srcObject = media.stream
  peer = new Peer({
    iceServers: JSON.parse(root.dataset.iceServers || '[]'),
    stream: media.stream,
    remoteVideo: document.getElementById('call-remote'),
    channel,
    onState: state => {
      if (state === 'connected') say('Connected. You can see and hear the resident, and type to them.')
      if (state === 'failed') say('The video could not connect. You can still type to the resident.')
    }
  })
  chat.enable(true)
  await channel.send('ready', {})
  channel.listen(onNews)
}

document.getElementById('call-end-form').addEventListener('submit', () => { if (peer) peer.stopMedia() })
window.addEventListener('pagehide', () => { if (peer) peer.stopMedia() })
main()
