// The kiosk help page asks for itself every 15 seconds and swaps in the new list (the page works
// without this: it has a Refresh link). The tab's title counts the waiting requests, and screen
// readers hear when a new one arrives.
import { signedOut } from './call.js'

const region = document.getElementById('kiosk-help-list')
const status = document.getElementById('kiosk-help-status')
let known = Number(region.dataset.count)

async function refresh () {
  try {
    const response = await fetch(window.location.pathname, { credentials: 'same-origin', cache: 'no-store' })
    if (signedOut(response) || !response.ok) return
    const page = new DOMParser().parseFromString(await response.text(), 'text/html')
    const fresh = page.getElementById('kiosk-help-list')
    if (!fresh) return
    const count = Number(fresh.dataset.count)
    if (fresh.innerHTML !== region.innerHTML) {
      const focused = document.activeElement && region.contains(document.activeElement) ? document.activeElement.id : ''
      region.innerHTML = fresh.innerHTML // the server's own template, escaped there
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus()
      document.title = page.title
    }
    if (count > known) status.textContent = `New kiosk help request. ${count} waiting.`
    known = count
  } catch (error) { /* offline for a moment: the next refresh tries again */ }
}

setInterval(refresh, 15000)
