"""A territory's whole data in one ZIP archive, for its coordination (issue 12).

- `tables.py`: what goes in, one table per file (CSV and JSON), by model, and what stays out;
- `building.py`: the archive, built in a temporary file (rows streamed, documents copied in
  chunks: nothing holds a whole table or a whole file in memory);
- `readme.py`: the README of the archive (French), written from the same table list;
- `views.py`, `urls.py`: the page that explains the archive and the download (coordinators
  only, never cached).
"""
