"""CPU cost of making and reading one slot id: the AES-GCM form vs the signed one it replaced.

Run: .venv/bin/python bench/slot_id_cost.py (prints microseconds per slot id, and its length)."""

import timeit
from datetime import date

from itsdangerous import URLSafeTimedSerializer

from app import create_app
from app.booking.availability import Slot, decode_slot, encode_slot
from app.config import Settings
from app.places.places import Place

app = create_app(Settings(secret_key="x" * 40, database_url="sqlite://"), testing=True)


class S:
    code = "council-tax"


slot = Slot(date(2026, 12, 7), (32400, 39600), (21,), (2,), 33000, 400)
place = Place("home", 51.3, -1.9, 1)
payload = {
    "s": "council-tax",
    "t": "home",
    "h": None,
    "d": "2026-12-07",
    "w": [32400, 39600],
    "o": [21],
    "v": [2],
    "a": 33000,
}
with app.app_context():
    n = 20000
    new_enc = timeit.timeit(lambda: encode_slot(slot, S, place), number=n) / n * 1e6
    tok = encode_slot(slot, S, place)
    new_dec = timeit.timeit(lambda: decode_slot(tok), number=n) / n * 1e6
    ser = URLSafeTimedSerializer("x" * 40, salt="doorstep-slot")
    old_enc = timeit.timeit(lambda: ser.dumps(payload), number=n) / n * 1e6
    old = ser.dumps(payload)
    old_dec = timeit.timeit(lambda: ser.loads(old, max_age=86400), number=n) / n * 1e6
    print(f"AES-GCM: make {new_enc:.1f} µs, read {new_dec:.1f} µs, {len(tok)} chars")
    print(f"signed (before): make {old_enc:.1f} µs, read {old_dec:.1f} µs, {len(old)} chars")
