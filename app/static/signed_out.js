// The sign-in page, shown to someone not signed in (after "Sign out", or when a session ended): nothing
// of an officer's day stays readable on this phone. The sign-out's Clear-Site-Data header does the same
// where the browser supports it; this is for those that ignore it. Saved pages go, and the worker that
// served them with no signal (officer.js registers it again at the next sign-in).
if ('caches' in window) {
  caches.keys().then((keys) => Promise.all(keys.map((key) => caches.delete(key)))).catch(() => {})
}
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.getRegistrations()
    .then((registrations) => Promise.all(registrations.map((registration) => registration.unregister())))
    .catch(() => {})
}
