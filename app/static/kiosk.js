// Kiosk privacy: after a minute without a touch, warn; 30 seconds later, wipe the session and go back
// to the start screen. "Print ticket" buttons print. The reset itself is a normal form POST.
// A video call holds the timers while someone is talking (events 'kiosk:hold' and 'kiosk:release').
const WARN_AFTER = Number(document.body.dataset.kioskWarnAfter || 60000)
const RESET_AFTER = Number(document.body.dataset.kioskResetAfter || 30000)
const dialog = document.getElementById('kiosk-timeout')
const resetForm = document.getElementById('kiosk-reset-form')
let warnTimer, resetTimer
let held = false

function startTimers () {
  clearTimeout(warnTimer)
  clearTimeout(resetTimer)
  if (dialog) dialog.hidden = true
  if (held) return
  warnTimer = setTimeout(() => {
    if (dialog) {
      dialog.hidden = false
      dialog.querySelector('button').focus()
    }
    resetTimer = setTimeout(() => resetForm && resetForm.submit(), RESET_AFTER)
  }, WARN_AFTER)
}

for (const event of ['pointerdown', 'keydown', 'touchstart', 'scroll']) {
  document.addEventListener(event, () => { if (!dialog || dialog.hidden) startTimers() }, { passive: true })
}
if (dialog) dialog.querySelector('button').addEventListener('click', startTimers)
document.addEventListener('kiosk:hold', () => { held = true; startTimers() })
document.addEventListener('kiosk:release', () => { held = false; startTimers() })
for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print())
startTimers()
