// Adds the phone's position to check-in, check-out and help, when the officer allows it.
// Everything works without it; the visit address is used instead.
if ('geolocation' in navigator) {
  navigator.geolocation.getCurrentPosition((position) => {
    for (const form of document.querySelectorAll('form[data-geo]')) {
      form.querySelector('input[name=lat]').value = position.coords.latitude.toFixed(6)
      form.querySelector('input[name=lng]').value = position.coords.longitude.toFixed(6)
    }
  }, () => {}, { maximumAge: 60000, timeout: 10000 })
}
