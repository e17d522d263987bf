"""Output: what tracker prints and writes. Each renderer returns text or a renderable; commands print.

plain.py      the one function that neutralises user text; plain tables and listings
terminal.py   rich renderables for the terminal (the only module that imports rich)
jsonout.py    JSON documents: the machine contract
csvout.py     the listing and the report as CSV
check.py      what `tracker check` prints: lines, GitHub annotations, JSON
paper.py      the board paper in markdown
"""
