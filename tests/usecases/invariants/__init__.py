"""The invariants' machine (issue 109, item 6): the five invariants (docs/judgement.md,
"The invariants"), asserted after every step of a Hypothesis
RuleBasedStateMachine whose rules are the product's entry points:

- `/rollout` commands (cases, rubric, exception, kpi, calibrate, mode, attest, publish,
  adopt, pulse) as handlers/commands.py answers them, by random actors (the owner, two
  curators, an admin, members);
- the forms: `/rollout edit`'s (handlers/playbook_form.py) and the pulse's (through its
  listener); the cards' buttons as Bolt calls their listeners (any button the bot has
  posted: proposals' Approve / Reject, bar change requests' Approve, publish requests',
  Publish), a bar request's decline with its reason;
- `rollout playbook load` of random definition changes, with and without `--why`
  (usecases/operator.py's load, as the CLI calls it);
- the clock's ticks (usecases/tick.py's Cadence) across weeks and cycles.

The oracle reads what the store holds after each step (`Seen`): the steps' modes and pins,
the append-only decision log (who asked, who decided, the rule), bar change requests,
proposals, registry versions, and checks the five invariants from that, independently of
the paths that wrote it. Where it must judge (a week's verdict under another bar, a
promotion's gates at an instant) it uses the domain's pure functions (cadence/verdicts.py,
cadence/promotion_gates.py through usecases/shared/promotion_gates.py's reading).

A broken invariant raises an AssertionError subclass named by the invariant, the path
(the rule that ran, and for a request whether a file asked it) and the reason, so that
Hypothesis reports (and shrinks) each distinct finding on its own."""
