// The officer's day with no signal: the day's pages and its visits' pages are fetched from the network
// when there is signal (and saved), and from what was saved when there is not. Nothing else is saved:
// not the warnings' details, nor the phone or calendar settings. Posts are never cached here:
// officer.js queues check-in and check-out taps with their real times and sends them later.
// When the server says the officer is signed out (a redirect to sign in, 401 or 403), every saved page
// is forgotten, so a phone whose session ended shows no residents' details with no signal either.
// The page asks for itself to be saved when it was opened before this worker was running ("save").
const CACHE = 'doorstep-officer-v2'
const OFFLINE = '{{ url_for("officer.offline") }}'
const SAVED = [
  OFFLINE,
  '{{ url_for("static", filename="govuk/govuk-frontend.min.css") }}',
  '{{ url_for("static", filename="govuk/govuk-frontend.min.js") }}',
  '{{ url_for("static", filename="doorstep.css") }}',
  '{{ url_for("static", filename="officer.js") }}',
  '{{ url_for("static", filename="route_map.js") }}',
  '{{ url_for("static", filename="init.js") }}'
]
const PAGES = new RegExp('^{{ url_for("officer.today") }}(day/[0-9-]+|visits/[0-9]+)?$')

self.addEventListener('install', (event) => {
  // Saved with the header that leaves the officer's "Marked on your way." for the page they see: the
  // no-signal page is a page too, and installing can run while the officer's first tap is answered.
  const requests = SAVED.map((url) => new Request(url, { headers: { 'X-Doorstep-Save': '1' } }))
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  )
})

function isPage (url) {
  return url.origin === self.location.origin && PAGES.test(url.pathname)
}

function signedOut (response) {
  return response.type === 'opaqueredirect' || response.redirected || [401, 403].includes(response.status)
}

async function forgetPages () {
  const cache = await caches.open(CACHE)
  const requests = await cache.keys()
  await Promise.all(requests.filter((r) => isPage(new URL(r.url))).map((r) => cache.delete(r)))
}

// Saves a day or visit page the server sent; forgets them all when it answered "sign in".
function keep (request, response) {
  if (signedOut(response)) return forgetPages()
  if (!response.ok) return Promise.resolve()
  return caches.open(CACHE).then((cache) => cache.put(request, response))
}

self.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== self.location.origin) return
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (isPage(url)) {
            const kept = keep(request, response.clone())
            if (signedOut(response)) await kept // forgotten before the sign-in page shows
            else event.waitUntil(kept)
          }
          return response
        })
        .catch(() => caches.match(request).then((saved) => saved || caches.match(OFFLINE)))
    )
    return
  }
  event.respondWith(caches.match(request).then((saved) => saved || fetch(request)))
})

// The page opened before this worker ran was not saved by it: fetch it again and save it.
self.addEventListener('message', (event) => {
  const url = new URL(event.data && event.data.save, self.location.origin)
  if (!isPage(url)) return
  const request = new Request(url.href, { credentials: 'same-origin', redirect: 'manual', headers: { 'X-Doorstep-Save': '1' } })
  event.waitUntil(fetch(request).then((response) => keep(request, response)).catch(() => {}))
})
