"""Demo data: the two territories of the narratives, the scale generator and their commands.

The only app allowed to import every other one (demo → evaluation → workgroups → actions →
partners → cls_platform); no product app imports it, and it has no models.

- `accounts.py`: the two territories and the demo accounts.
- `cergy/`, `vitry/`: each territory as its narrative tells it (`seed()` in its `__init__.py`):
  `directory.py` (structures, QPVs), `contract.py` (contracts, axes, fiches-actions), `groups.py`
  (work groups, members), `meetings.py` (meetings, invitations, compte-rendus; Vitry's
  stalled groups in `stalled.py`) and `evaluation.py` (partner questionnaires, Vitry's
  mid-term interviews).
- `directory.py`, `contracts.py`, `fiches.py`, `groups.py`, `meetings.py`, `evaluation.py`: how
  that data is written into the database, once for both territories (the evaluation through
  the app's services); `common.py`: small helpers they share.
- `scale.py`: bulk territories for the benchmarks (`seed_scale`).

Deterministic (choices are seeded, never drawn at random): two runs give the same demo, and a
second run adds nothing.
"""
