"""The PDF plumbing shared by every app.

- `rendering`: a template to PDF bytes with WeasyPrint (fonts, base URL, dates in French);
- `cache`: the part cache (files on disk, shared by the processes of one host);
- `parts`: the assembler of long documents, made of parts rendered apart and kept in that cache
  (a contract's front matter and each fiche-action), numbered and joined into one PDF.
"""
