"""Pages of contracts, axes and fiches-actions, one module per entity: `contracts`, `axes`,
`fiches` (with their exports and PDF), `updates` (a fiche's dated news), `indicators` (and their
measurements), `scale` (the collaboration scale); `base` holds what they share. Each page
resolves access, calls a selector or a service, renders or redirects; `actions/urls.py` names
them."""
