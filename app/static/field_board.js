// The supervisors' field board updates itself every minute while "Update this page every minute" is
// ticked (a supervisor who is reading a row can untick it: WCAG 2.2.1). Only the board is replaced,
// with the server's own page; focus and the tick box are kept. Without JavaScript: the Refresh link.
const board = document.getElementById('field-board')
const MINUTE = 60 * 1000

function ticked () {
  const box = document.getElementById('auto-update')
  return box && box.checked
}

function showControls () {
  for (const element of board.querySelectorAll('.app-js-only')) element.hidden = false
}

async function update () {
  if (!ticked() || document.hidden) return
  try {
    const response = await fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' })
    if (!response.ok || response.redirected) return // signed out, or a server error: keep what is shown
    const page = new DOMParser().parseFromString(await response.text(), 'text/html')
    const fresh = page.getElementById('field-board')
    if (!fresh) return
    const focused = document.activeElement && board.contains(document.activeElement) ? document.activeElement.id : ''
    board.innerHTML = fresh.innerHTML
    showControls()
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus()
  } catch (error) {
    // offline for a moment: try again next minute
  }
}

showControls()
setInterval(update, MINUTE)
