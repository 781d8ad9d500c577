// Draws the officer's route with Leaflet. Works with no tile server (the line and stops still show).
// Each stop is a round marker with its number inside (B for the base), as numbered in the list on the
// page, which stays the full account; its name shows on tap, hover or keyboard focus. Stops too close
// to tell apart at the map's zoom (two visits at one hub, say) are fanned out around their place.
/* global L */
const SIZE = 28 // px: a marker, and a touch target big enough (WCAG 2.5.8)
const APART = SIZE + 4 // px between the centres of two markers that must not touch

function stopIcon (text, base) {
  return L.divIcon({
    className: base ? 'app-map-stop app-map-stop--base' : 'app-map-stop',
    html: text,
    iconSize: [SIZE, SIZE],
    iconAnchor: [SIZE / 2, SIZE / 2],
    tooltipAnchor: [0, -SIZE / 2]
  })
}

// Groups of markers closer than APART on screen (linked pairs chain into one group).
function crowds (points) {
  const group = points.map((_, i) => i)
  const find = (i) => (group[i] === i ? i : (group[i] = find(group[i])))
  points.forEach((a, i) => points.forEach((b, j) => {
    if (j > i && a.distanceTo(b) < APART) group[find(j)] = find(i)
  }))
  const groups = new Map()
  points.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) || []), i]))
  return [...groups.values()]
}

// Each crowd's markers sit on a ring around its middle, far enough apart not to overlap.
function fanOut (map, markers) {
  const points = markers.map((m) => map.latLngToLayerPoint(m.getLatLng()))
  for (const crowd of crowds(points)) {
    const middle = crowd.reduce((sum, i) => sum.add(points[i]), L.point(0, 0)).divideBy(crowd.length)
    const radius = crowd.length > 1 ? APART / (2 * Math.sin(Math.PI / crowd.length)) : 0
    crowd.forEach((i, k) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * k) / crowd.length
      const at = crowd.length > 1 ? middle.add(L.point(Math.cos(angle), Math.sin(angle)).multiplyBy(radius)) : points[i]
      const shift = at.subtract(points[i]).round()
      const icon = markers[i].options.icon
      icon.options.iconAnchor = [SIZE / 2 - shift.x, SIZE / 2 - shift.y]
      icon.options.tooltipAnchor = [shift.x, shift.y - SIZE / 2]
      markers[i].setIcon(icon) // the same element, moved (its label and focus stay)
    })
  }
}

const element = document.getElementById('route-map')
if (element && window.L) {
  const points = JSON.parse(element.dataset.points)
  const map = L.map(element)
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: '&copy; map data contributors' }).addTo(map)
  }
  const line = points.map((p) => [p.lat, p.lng])
  if (line.length) {
    // The view first: Leaflet draws a marker (and makes its element) only once the map has one.
    // maxZoom: a street's zoom when every stop is at one place.
    map.fitBounds(L.latLngBounds(line).pad(0.2), { maxZoom: 16 })
    L.polyline([...line, line[0]], { color: '#1d70b8', weight: 4 }).addTo(map)
    const markers = points.map((p, index) => { // the base first
      // A string tooltip is HTML to Leaflet: hand it a text node so a name or address never runs as markup.
      const label = document.createElement('span')
      label.textContent = p.label
      const marker = L.marker([p.lat, p.lng], { icon: stopIcon(p.mark, index === 0) })
        .addTo(map)
        .bindTooltip(label, { direction: 'top' })
      marker.getElement().setAttribute('aria-label', p.label)
      return marker
    })
    fanOut(map, markers)
    map.on('zoomend', () => fanOut(map, markers))
  }
}
