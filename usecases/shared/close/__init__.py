"""A week's close as a list of rules (issue 94, item 2): each rule reads its batch for the
whole round (one query or two a kind of data, however many playbooks close), and judges
each week with a pure judge of cadence/'s, which returns its decisions as data; the rule
puts them in the week's `Change`. Each capability names its rules once (cadence/capabilities.py);
registry.py orders them, and usecases/shared/weeks.py's `close_round` runs them: every read first,
then each week through the rules. What a rule found is its outcome (issue 110, item 3),
kept on the week by the rule's name (week.py, `WeekClose.outcome`): a rule reads another's
only if it declares it needs it (`needs`, which the registry's order must satisfy), and
the week's summary (summary.py) reads those it shows. A rule module is referenced by the
registry, by the rules that need it and by the summary only."""
