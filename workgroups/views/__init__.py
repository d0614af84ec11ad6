"""Pages of the work groups, one module per entity: `groups`, `meetings` (the form, the page,
the cancellation), `invitations` (and attendance), `reports` (the compte-rendu and its
resources); and, for partners without an account, `partner_pages` (answers, resources, the
meeting's page, the compte-rendu's PDF) and `feeds` (the groups' calendars). `base` holds what
they share. workgroups/urls.py and link_urls.py name them."""
