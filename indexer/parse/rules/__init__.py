"""Rules shared by every layout, one module per construct.

- `turns`: who speaks (colon turns, reported speech, rapporteur lines);
- `votes`: counts, unanimity, results, named dissent, decision formulas (one line or sentence);
- `vote_blocks`: labelled count blocks over several lines (`Pour : 54 voix (…)` / `Contre : 0 voix`);
- `headings`: agenda items under any numbering;
- `attendance`: present, excused, absent, proxies, secretary, movements;
- `header`: body, presidency, times.

Each rule is a small function whose docstring shows the line it matches; layout
modules (`municipal`, `departmental`, `citycouncil`) only hold what differs.
"""
