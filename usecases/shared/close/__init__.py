"""A week's close as a list of rules (issue 94, item 2): each rule reads its batch for the
whole round (one query or two a kind of data, however many playbooks close), and judges
each week with a pure judge of cadence/'s, which returns its decisions as data; the rule
puts them in the week's `Change`. The rules are listed once, in the order they decide
(registry.py), and usecases/shared/weeks.py's `close_round` runs them: every read first,
then each week through the rules. A rule module is referenced by the registry only; what
a rule leaves for the rules after it (the guardrail, each step's verdict, the cycle's
result) is on the week (week.py, `WeekClose`)."""
