"""Transaction boundaries: which statements of a plan commit together.

Computed once, when the plan is made (`assign`), and kept in each statement's `group`,
so the plan file shows them, and the proof and apply run them through the same
`groups`. The rules:

* consecutive transactional statements share a transaction (so an object dropped and
  re-created around a change is never missing in between: plan/order.py keeps such
  statements next to each other);
* a statement that must run outside a transaction block (CONCURRENTLY) runs alone;
* VALIDATE CONSTRAINT runs alone, after the transaction that added the constraint NOT
  VALID committed: it then holds only SHARE UPDATE EXCLUSIVE while it scans, instead of
  the ACCESS EXCLUSIVE lock of the statements before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pgproof.core import locks
from pgproof.core.locks import Lock
from pgproof.core.statement import Statement

Numbered = list[tuple[int, Statement]]


def alone(statement: Statement) -> bool:
    """A statement that is a transaction group of its own."""
    return not statement.transactional or locks.validates_only(statement.sql)


def assign(statements: Sequence[Statement]) -> list[Statement]:
    """The statements with their `group` set, numbered from 1 in plan order."""
    result: list[Statement] = []
    group = 0
    for statement in statements:
        if not result or alone(statement) or alone(result[-1]):
            group += 1
        result.append(statement.with_(group=group))
    return result


def groups(statements: Sequence[Statement]) -> list[Numbered]:
    """Steps numbered from 1, in their transaction groups. Statements that carry no group
    (a diff run on a scratch copy rather than a plan) are assigned one here first."""
    if any(s.group == 0 for s in statements):
        statements = assign(statements)
    result: list[Numbered] = []
    for number, statement in enumerate(statements, start=1):
        if result and result[-1][0][1].group == statement.group:
            result[-1].append((number, statement))
        else:
            if result and statement.group <= result[-1][0][1].group:
                raise ValueError(f"statement {number} has transaction group {statement.group} out of order")
            result.append([(number, statement)])
    for group in result:
        if len(group) > 1 and not all(s.transactional for _, s in group):
            raise ValueError(f"transaction group {group[0][1].group} mixes a CONCURRENTLY statement with others")
    return result


@dataclass(frozen=True)
class GroupSummary:
    number: int  # 1-based position among the groups
    first: int  # its first statement
    last: int  # its last statement
    transactional: bool
    lock: Lock | None  # the strongest lock it takes, None for no table lock
    on: tuple[str, ...] = ()  # every object it takes that mode on (new ones only if `lock` is on one)

    def describe(self, total: int) -> str:
        """`transaction 2 of 5 (statements 3-7): ACCESS EXCLUSIVE lock on public.posts`."""
        which = f"statement {self.first}" if self.first == self.last else f"statements {self.first}-{self.last}"
        how = "" if self.transactional else ", outside a transaction block"
        lock = f"{self.lock.mode} lock on {'new ' if self.lock.new else ''}{', '.join(self.on)}" if self.lock \
            else "no table lock"
        return f"transaction {self.number} of {total} ({which}{how}): {lock}"


def summaries(statements: Sequence[Statement]) -> list[GroupSummary]:
    """Each transaction group with the strongest lock it takes."""
    result = []
    for index, group in enumerate(groups(statements), start=1):
        taken = [lock for _, s in group for lock in locks.of_sql(s.sql)]
        top = locks.strongest(taken)
        on = tuple(dict.fromkeys(lock.on for lock in taken if top and lock.rank == top.rank))
        result.append(GroupSummary(number=index, first=group[0][0], last=group[-1][0],
                                   transactional=group[0][1].transactional, lock=top, on=on))
    return result
