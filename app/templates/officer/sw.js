// The officer's day with no signal: pages under /officer/ are fetched from the network when there is
// signal (and saved), and from what was saved when there is not. Posts are never cached here:
// officer.js queues check-in and check-out taps with their real times and sends them later.
const CACHE = 'doorstep-officer-v1'
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

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SAVED)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone()
            caches.open(CACHE).then((cache) => cache.put(request, copy))
          }
          return response
        })
        .catch(() => caches.match(request).then((saved) => saved || caches.match(OFFLINE)))
    )
    return
  }
  event.respondWith(caches.match(request).then((saved) => saved || fetch(request)))
})
