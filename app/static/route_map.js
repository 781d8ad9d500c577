// Draws the officer's route with Leaflet. Works with no tile server (the line and stops still show).
/* global L */
const element = document.getElementById('route-map')
if (element && window.L) {
  const points = JSON.parse(element.dataset.points)
  const map = L.map(element)
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: '&copy; map data contributors' }).addTo(map)
  }
  const line = points.map((p) => [p.lat, p.lng])
  if (line.length) {
    L.polyline([...line, line[0]], { color: '#1d70b8', weight: 4 }).addTo(map)
    points.forEach((p) => {
      // A string tooltip is HTML to Leaflet: hand it a text node so a name or address never runs as markup.
      const label = document.createElement('span')
      label.textContent = p.label
      // With no street map behind them the stops' labels stay shown, so the map is not a grey box.
      L.circleMarker([p.lat, p.lng], { radius: 8, color: '#0b0c0c' }).addTo(map)
        .bindTooltip(label, { permanent: !element.dataset.tiles, direction: 'right' })
    })
    map.fitBounds(L.latLngBounds(line).pad(0.2))
  }
}
