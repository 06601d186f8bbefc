"""The people's step of the daily sweep: expired terms end (001 §2.7), renewals are judged (001 §2.8).

Runs before the meetings' governance checks (order 20), so a term that has ended is closed before
they look for terms about to end.
"""

from network import periodic

from .terms import step

periodic.register("people.terms", step, order=15)
