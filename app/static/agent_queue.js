// The agent console's queue of kiosk calls, kept up to date by long polls (each also tells the server
// this agent's console is still open). Screen readers hear when a call arrives.
import { keepSessionAlive, signedOut } from './call.js'

const region = document.getElementById('kiosk-queue')
const status = document.getElementById('kiosk-queue-status')
let token = region.dataset.token
let known = null

async function poll () {
  let failures = 0
  for (;;) {
    try {
      const query = new URLSearchParams({ token, wait: 20 })
      const response = await fetch(`${region.dataset.queueUrl}?${query}`, { credentials: 'same-origin', cache: 'no-store' })
      if (signedOut(response)) return
      if (!response.ok) throw new Error(`queue: ${response.status}`)
      const queue = await response.json()
      failures = 0
      if (queue.token !== token) {
        const focused = document.activeElement && region.contains(document.activeElement) ? document.activeElement.id : ''
        region.innerHTML = queue.html // the server's own template, escaped there
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus()
        token = queue.token
      }
      if (known !== null && queue.waiting > known) {
        status.textContent = `New kiosk call from ${queue.hubs[queue.hubs.length - 1]}. ${queue.waiting} waiting.`
      }
      known = queue.waiting
    } catch (error) {
      failures += 1
      await new Promise(resolve => setTimeout(resolve, Math.min(1000 * failures, 5000)))
    }
  }
}

keepSessionAlive(region.dataset.stillHereUrl)
poll()
