"""Disclosure control of every aggregate output: the one place a count is
published (DESIGN.md section 5).

A count goes out as its true value plus the noise the perturbation table
gives its cell key (``cellkey``); a perturbed count from 1 to k-1 is shown
as "<k"; true zeros stay zero. Derived figures (changes, shares, rates,
medians) are computed from published counts only, or withheld with them.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from coordination.settings.services import get_setting
from coordination.statistics import cellkey
from coordination.statistics.query import Group


@dataclass(frozen=True)
class Protection:
    k: int
    k_sexual: int
    table: cellkey.PerturbationTable

    @property
    def max_deviation(self) -> int:
        return self.table.max_deviation


def current() -> Protection:
    """The thresholds and the perturbation table in force."""
    config = current_app.config
    return Protection(
        k=get_setting("suppression_k"), k_sexual=get_setting("suppression_k_sexual_violence"),
        table=cellkey.build_ptable(int(config["STATISTICS_MAX_DEVIATION"]),
                                   float(config["STATISTICS_VARIANCE"])))


def publish(group: Group, k: int, protection: Protection) -> cellkey.Published:
    """The published form of a group of units (count, key sum)."""
    n, key_sum = group
    return cellkey.publish(n, key_sum, k, protection.table)
