// Kiosk privacy: after KIOSK_WARN_AFTER_MS without a touch (a minute), warn; KIOSK_RESET_AFTER_MS later
// (30 seconds), wipe the session and go back to the start screen. Both come from the page's body, set
// from the settings, as does the warning's "This screen will clear in ..." (base.html), so they agree. "Print ticket" buttons print. The reset itself is a normal form POST.
// A video call holds the timers while someone is talking (events 'kiosk:hold' and 'kiosk:release').
// The warning is a modal dialog: while it shows, everything behind it is inert, Tab stays on its
// button, and Escape (like the button) closes it and gives focus back to where it was.
const WARN_AFTER = Number(document.body.dataset.kioskWarnAfter || 60000)
const RESET_AFTER = Number(document.body.dataset.kioskResetAfter || 30000)
const dialog = document.getElementById('kiosk-timeout')
const resetForm = document.getElementById('kiosk-reset-form')
let warnTimer, resetTimer
let held = false
let focusBefore = null

function behindDialog () {
  return [...document.body.children].filter((el) => el !== dialog && el.tagName !== 'SCRIPT')
}

function closeDialog () {
  if (!dialog || dialog.hidden) return
  dialog.hidden = true
  for (const el of behindDialog()) el.inert = false
  if (focusBefore && document.contains(focusBefore)) focusBefore.focus()
  focusBefore = null
}

function openDialog () {
  focusBefore = document.activeElement
  for (const el of behindDialog()) el.inert = true
  dialog.hidden = false
  dialog.querySelector('button').focus()
}

function startTimers () {
  clearTimeout(warnTimer)
  clearTimeout(resetTimer)
  closeDialog()
  if (held) return
  warnTimer = setTimeout(() => {
    if (dialog) openDialog()
    resetTimer = setTimeout(() => resetForm && resetForm.submit(), RESET_AFTER)
  }, WARN_AFTER)
}

for (const event of ['pointerdown', 'keydown', 'touchstart', 'scroll']) {
  document.addEventListener(event, () => { if (!dialog || dialog.hidden) startTimers() }, { passive: true })
}
if (dialog) {
  dialog.querySelector('button').addEventListener('click', startTimers)
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      startTimers()
    } else if (event.key === 'Tab') {
      event.preventDefault() // one control: focus stays on it
      dialog.querySelector('button').focus()
    }
  })
}
document.addEventListener('kiosk:hold', () => { held = true; startTimers() })
document.addEventListener('kiosk:release', () => { held = false; startTimers() })
for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print())
startTimers()
