// Progressive enhancement of the officer's day; every form also works without it.
// - adds the phone's position to check-in, check-out and help, when the officer allows it;
// - registers the service worker that keeps the day readable with no signal (from the first opening);
// - sends taps in the background with the time they were made; with no signal, check-in and
//   check-out wait on this phone (localStorage) and are sent when signal returns, with their real times.
//   Help is never silently queued: with no signal the page says plainly it was not sent and offers calls.
const QUEUE = 'doorstep-officer-queue'
const script = document.querySelector('script[data-sw]')
const status = document.getElementById('sync-status')

if ('serviceWorker' in navigator && script) {
  navigator.serviceWorker.register(script.dataset.sw).catch(() => {})
  // Opened before the worker ran (the first time on this phone): the worker did not see this page
  // arrive, so ask it to save it now, for when there is no signal.
  if (!navigator.serviceWorker.controller) {
    navigator.serviceWorker.ready.then((registration) => {
      registration.active.postMessage({ save: window.location.pathname + window.location.search })
    })
  }
}

if ('geolocation' in navigator && document.querySelector('form[data-geo]')) {
  navigator.geolocation.getCurrentPosition((position) => {
    for (const form of document.querySelectorAll('form[data-geo]')) {
      form.querySelector('input[name=lat]').value = position.coords.latitude.toFixed(6)
      form.querySelector('input[name=lng]').value = position.coords.longitude.toFixed(6)
    }
  }, () => {}, { maximumAge: 60000, timeout: 10000 })
}

function say (text) {
  if (!status) return
  status.textContent = text
  status.classList.remove('app-hidden')
}

// The error summary for a refused tap is made here, when there is one to show: without JavaScript the
// page holds only its own summary (a refused tap then comes back as a new page with it).
function errorSummary (text) {
  const slot = document.getElementById('tap-error-slot')
  if (!slot) return null
  const box = document.createElement('div')
  box.id = 'tap-error'
  box.className = 'govuk-error-summary'
  box.tabIndex = -1
  const alert = document.createElement('div')
  alert.setAttribute('role', 'alert')
  const title = document.createElement('h2')
  title.className = 'govuk-error-summary__title'
  title.textContent = slot.dataset.title
  const body = document.createElement('div')
  body.className = 'govuk-error-summary__body'
  const message = document.createElement('p')
  message.className = 'govuk-body govuk-!-margin-bottom-0'
  message.textContent = text
  body.append(message)
  alert.append(title, body)
  box.append(alert)
  slot.append(box)
  return box
}

function showError (text) {
  hideError()
  // One error summary on the page: the newest answer replaces one the page came with.
  document.querySelectorAll('.govuk-error-summary').forEach(summary => summary.remove())
  const box = errorSummary(text)
  if (!box) return
  clearOldSuccess()
  box.focus()
}

// The last page's "Success" (say "Marked on your way") must not sit above a newer answer: a refusal,
// or help asked for.
function clearOldSuccess () {
  document.querySelectorAll('.govuk-notification-banner--success').forEach(banner => banner.remove())
}

// A new tap's answer replaces the last one's: an old error must not sit beside "Help requested".
function hideError () {
  const box = document.getElementById('tap-error')
  if (box) box.remove()
}

// Taps that replace one another on a visit's card: a check-in waiting to be sent also stands for "On
// my way"; a check-out ("Completed", "Nobody in") for the other.
const SAME_STEP = {
  'on-my-way': ['on-my-way'],
  arrived: ['on-my-way', 'arrived'],
  completed: ['completed', 'no-show'],
  'no-show': ['completed', 'no-show']
}

// A time as the rest of the page gives it: UK time (Europe/London), whatever zone the phone is set to
// (a phone bought or last used abroad), GOV.UK style: 9am, 2:05pm, midday.
const UK_CLOCK = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', minute: '2-digit', hourCycle: 'h23' })
function ukTime (moment) {
  const parts = Object.fromEntries(UK_CLOCK.formatToParts(new Date(moment)).map(part => [part.type, part.value]))
  const hour = Number(parts.hour)
  const minute = Number(parts.minute)
  if (hour === 12 && minute === 0) return 'midday'
  const shown = `${hour % 12 || 12}${minute ? ':' + String(minute).padStart(2, '0') : ''}`
  return `${shown}${hour < 12 ? 'am' : 'pm'}`
}

// A tap waiting on this phone: its visit's card says so and no longer offers the same step, so the
// officer is not invited to tap it again (the card cannot show the new state until signal returns).
function markWaiting (item) {
  const form = [...document.querySelectorAll('form[data-safety]')].find(f => f.action === item.url)
  const group = form && form.closest('.govuk-button-group')
  if (!group) return
  for (const other of group.querySelectorAll('form[data-safety]')) {
    if ((SAME_STEP[form.dataset.safety] || []).includes(other.dataset.safety)) other.classList.add('app-hidden')
  }
  const note = document.createElement('p')
  note.className = 'govuk-inset-text'
  note.dataset.waiting = ''
  note.textContent = `${item.label}: saved on this phone at ${ukTime(item.fields.client_time)}, waiting for signal to send it.`
  group.before(note)
}

function queued () {
  try { return JSON.parse(localStorage.getItem(QUEUE) || '[]') } catch { return [] }
}

function save (items) {
  localStorage.setItem(QUEUE, JSON.stringify(items))
}

async function post (url, fields) {
  const body = new URLSearchParams(fields)
  return fetch(url, {
    method: 'POST',
    body,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' }
  })
}

function showHelpNotSent (message) {
  const box = document.getElementById('help-calls')
  if (!box) return
  if (message) box.querySelector('[data-message]').textContent = message
  box.classList.remove('app-hidden')
  box.scrollIntoView()
}

async function flush () {
  let items = queued()
  let refused = false
  while (items.length) {
    const item = items[0]
    let response
    try {
      response = await post(item.url, item.fields)
    } catch {
      return // still no signal: try again later
    }
    items = queued().slice(1)
    save(items)
    const answer = await response.json().catch(() => ({}))
    if (response.ok) {
      say(`Sent: ${item.label}, tapped at ${ukTime(item.fields.client_time)}.`)
    } else {
      refused = true
      showError(`Not recorded: ${item.label}. ${answer.message || ''}`)
    }
  }
  // Reload to show what was recorded, but never over a refusal: the officer must read that a tap was
  // not recorded (a check-in refused means no safety session), not a fresh page that hides it.
  if (queued().length === 0 && !refused && status && status.dataset.reload) window.location.reload()
}

for (const form of document.querySelectorAll('form[data-safety]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    hideError()
    const fields = Object.fromEntries(new FormData(form).entries())
    fields.client_time = new Date().toISOString()
    const action = form.dataset.safety
    const label = (form.querySelector('button') || form).textContent.trim()
    let response
    try {
      response = await post(form.action, fields)
    } catch {
      if (action === 'help') {
        showHelpNotSent()
        return
      }
      const item = { url: form.action, fields, label }
      save([...queued(), item])
      markWaiting(item)
      say(`No signal. "${label}" is saved on this phone with the time you tapped it, and will be sent when you have signal.`)
      return
    }
    const answer = await response.json().catch(() => ({}))
    if (action === 'help') {
      clearOldSuccess()
      if (!response.ok || !answer.sent) showHelpNotSent(answer.message)
      else say(answer.message)
      return
    }
    if (response.ok) {
      window.location.reload()
    } else {
      showError(answer.message || 'That was not recorded. Reload the page and try again.')
    }
  })
}

// Signing out clears this phone (the answer's Clear-Site-Data), taps still waiting included: send them
// first. With no signal nothing is sent, and nothing is cleared either: the sign-out cannot arrive.
const signOut = document.querySelector('form[action$="/sign-out"]')
if (signOut) {
  signOut.addEventListener('submit', async (event) => {
    if (!queued().length) return
    event.preventDefault()
    if (status) delete status.dataset.reload
    await flush()
    signOut.submit()
  })
}

window.addEventListener('online', flush)
if (queued().length) {
  if (status) status.dataset.reload = '1'
  queued().forEach(markWaiting)
  say(`${queued().length} tap(s) waiting on this phone to be sent.`)
  flush()
}
