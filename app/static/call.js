// One end of a kiosk video call in the browser. The server relays the call's messages (long polls:
// any app server can answer either end) and media goes browser to browser over WebRTC. Nothing is
// recorded, and chat lines are written with textContent, never as HTML.

// Messages to and from the other end, through the server, in order.
export class Channel {
  constructor (root) {
    this.newsUrl = root.dataset.newsUrl
    this.signalUrl = root.dataset.signalUrl
    this.csrf = root.dataset.csrf
    this.after = Number(root.dataset.after || 0)
    this.token = ''
    this.stopped = false
    this.sending = Promise.resolve()
  }

  // Sends one at a time, so an offer always reaches the other end before its ICE candidates.
  send (kind, data) {
    const post = () => fetch(this.signalUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': this.csrf },
      body: JSON.stringify({ kind, data })
    }).then(response => response.ok, () => false)
    this.sending = this.sending.then(post)
    return this.sending
  }

  async listen (onNews) {
    let failures = 0
    while (!this.stopped) {
      try {
        const query = new URLSearchParams({ after: this.after, state: this.token, wait: 20 })
        const response = await fetch(`${this.newsUrl}?${query}`, { credentials: 'same-origin', cache: 'no-store' })
        if (signedOut(response)) return
        if (!response.ok) throw new Error(`news: ${response.status}`)
        const news = await response.json()
        failures = 0
        this.after = news.after
        this.token = news.token
        await onNews(news)
      } catch (error) {
        failures += 1 // the network or a server restarting: try again, a little later each time
        await new Promise(resolve => setTimeout(resolve, Math.min(1000 * failures, 5000)))
      }
    }
  }

  stop () { this.stopped = true }
}

// Signed out, or no longer a kiosk: reload, so the page says so instead of waiting for ever.
export function signedOut (response) {
  if (!response.redirected && response.status !== 401 && response.status !== 403) return false
  window.location.reload()
  return true
}

// Long polls leave the session cookie alone (so they never undo what another tab did); this short
// request every few minutes renews it, so an open call or console counts as activity.
export function keepSessionAlive (url, minutes = 5) {
  if (url) setInterval(() => fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(signedOut, () => {}), minutes * 60000)
}

// Camera and microphone if there are both; no camera: voice only; no microphone: text chat.
export async function localMedia (wanted) {
  const tries = { video: [['video', { video: true, audio: true }], ['voice', { audio: true }]], voice: [['voice', { audio: true }]] }
  for (const [mode, constraints] of tries[wanted] || []) {
    try {
      return { mode, stream: await navigator.mediaDevices.getUserMedia(constraints) }
    } catch (error) { /* not there, or not allowed: try the next */ }
  }
  return { mode: 'text', stream: null }
}

// The WebRTC connection. Each offer starts a new generation; messages of an older one are ignored, so
// a reloaded page or a second offer can never mix two connections.
export class Peer {
  constructor ({ iceServers, stream, remoteVideo, channel, onState }) {
    Object.assign(this, { iceServers, stream, remoteVideo, channel, onState })
    this.pc = null
    this.gen = -1
  }

  _open (gen) {
    this.close()
    this.gen = gen
    this.pending = []
    this.described = false
    const pc = new RTCPeerConnection({ iceServers: this.iceServers })
    if (this.stream) for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream)
    pc.onicecandidate = event => {
      if (event.candidate) this.channel.send('candidate', { ...event.candidate.toJSON(), gen })
    }
    pc.ontrack = event => {
      this.remoteVideo.srcObject = event.streams[0] || new MediaStream([event.track])
      this.remoteVideo.play().catch(() => {})
    }
    pc.onconnectionstatechange = () => this.onState(pc.connectionState)
    this.pc = pc
    return pc
  }

  async offer (gen) {
    const pc = this._open(gen)
    const sending = new Set((this.stream ? this.stream.getTracks() : []).map(track => track.kind))
    for (const kind of ['audio', 'video']) {
      if (!sending.has(kind)) pc.addTransceiver(kind, { direction: 'recvonly' }) // still see and hear them
    }
    await pc.setLocalDescription(await pc.createOffer())
    await this.channel.send('offer', { sdp: pc.localDescription.sdp, gen })
  }

  async takeOffer ({ sdp, gen }) {
    const pc = this._open(gen)
    await pc.setRemoteDescription({ type: 'offer', sdp })
    await this._described()
    await pc.setLocalDescription(await pc.createAnswer())
    await this.channel.send('answer', { sdp: pc.localDescription.sdp, gen })
  }

  async takeAnswer ({ sdp, gen }) {
    if (!this.pc || gen !== this.gen || this.pc.signalingState !== 'have-local-offer') return
    await this.pc.setRemoteDescription({ type: 'answer', sdp })
    await this._described()
  }

  async takeCandidate (candidate) {
    if (!this.pc || candidate.gen !== this.gen) return
    if (!this.described) {
      this.pending.push(candidate)
      return
    }
    try {
      await this.pc.addIceCandidate({ candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex })
    } catch (error) { /* a candidate this browser cannot use: the others may do */ }
  }

  async _described () {
    this.described = true
    const waiting = this.pending
    this.pending = []
    for (const candidate of waiting) await this.takeCandidate(candidate)
  }

  close () {
    if (this.pc) this.pc.close()
    this.pc = null
  }

  stopMedia () {
    this.close()
    if (this.stream) for (const track of this.stream.getTracks()) track.stop()
    this.remoteVideo.srcObject = null
  }
}

// The text chat, shown as captions on both screens; screen readers hear new lines (role="log").
export class Chat {
  constructor ({ log, form, channel, me, them, notSent }) {
    Object.assign(this, { log, form, channel, me, them })
    this.input = form.querySelector('input')
    form.addEventListener('submit', async event => {
      event.preventDefault()
      const text = this.input.value.trim()
      if (!text) return
      this.input.value = ''
      if (await channel.send('chat', { text })) this.add(me, text)
      else this.add('', notSent)
      this.input.focus()
    })
  }

  enable (on) { this.form.hidden = !on }

  add (who, text) {
    const empty = this.log.querySelector('.app-call__hint')
    if (empty) empty.remove()
    const line = document.createElement('p')
    line.className = 'govuk-body-l app-call__line'
    if (who) {
      const name = document.createElement('strong')
      name.textContent = `${who}: `
      line.append(name)
    }
    line.append(document.createTextNode(text))
    this.log.append(line)
    this.log.scrollTop = this.log.scrollHeight
  }

  take (signal) { if (signal.kind === 'chat') this.add(this.them, signal.data.text) }
}

// What both call pages start with: the call's element, its channel, its chat, its status line (read
// out by screen readers: role="status") and the keep-alive for the session. `words` are the page's
// own wording in the reader's language (the kiosk passes them; the agent's page is in English).
export function callPage (rootId, them, words = {}) {
  const root = document.getElementById(rootId)
  const channel = new Channel(root)
  const chat = new Chat({
    log: document.getElementById('call-captions'),
    form: document.getElementById('call-chat'),
    channel,
    me: words.you || 'You',
    them,
    notSent: words.not_sent || 'Your message was not sent. Try again.'
  })
  const status = document.getElementById('call-status')
  const say = text => { if (status.textContent.trim() !== text) status.textContent = text }
  keepSessionAlive(root.dataset.stillHereUrl)
  return { root, channel, chat, say }
}
