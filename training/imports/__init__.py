"""Spreadsheet import of training records: read (bounded), check (every row, in bulk), preview, confirm (atomic)."""
