"""The recent stories and their situations, held for a new article to be matched against.

Stories are indexed by their members' rarest words, so a new article is compared only with
the stories it shares such a word with (classifiers/grouping.py says when it joins one);
each story belongs to a situation (classifiers/situations.py), which gathers the stories
of one day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable

from classifiers.grouping import MEMBERS, SAME_STORY, Fingerprint, joins, utc_day
from classifiers.situations import Link, Reports, candidate_keys, link_keys, reports, situation_link

INDEX_WORDS = 8  # each member's rarest words index its story


class StoryIndex:
    """Recent stories' members, indexed by their rarest words, so a new article is compared
    only with the stories it shares such a word with; and the situation each story is in.

    ``day`` tells which day a moment belongs to (the desk's local day): a situation gathers
    the stories of one day."""

    def __init__(self, threshold: float = SAME_STORY, day: Callable[[float], Hashable] = utc_day) -> None:
        self.threshold = threshold
        self.day = day
        self._members: dict[str, list[Fingerprint]] = {}
        self._by_word: dict[str, set[str]] = {}
        self._latest: dict[str, float] = {}
        self._situation: dict[str, str] = {}  # story -> situation
        self._stories_in: dict[str, set[str]] = {}  # situation -> stories
        self._by_link: dict[str, dict[str, int]] = {}  # a situation link key -> situation -> its reports with it
        self._reports: dict[str, dict[Hashable, Reports]] = {}  # situation -> day -> its reports

    def __len__(self) -> int:
        return len(self._members)

    def find(self, candidate: Fingerprint) -> str | None:
        """The story this article joins, or None for a new one."""
        best_id, best = None, 0.0
        for story in sorted(self._candidates(candidate)):  # sorted: ties resolve the same way every run
            score = joins(candidate, self._members[story], self.threshold, self.day)
            if score > best:
                best_id, best = story, score
        return best_id

    def situation_of(self, story: str) -> str:
        return self._situation.get(story, story)

    def find_situation(self, candidate: Fingerprint, words: frozenset[str]) -> Link | None:
        """The situation of the same day a new story joins (see classifiers/situations.py), or None."""
        day = self.day(candidate.published)
        best: Link | None = None
        shared: Counter[str] = Counter()
        for key in candidate_keys(candidate, words):
            if reached := self._by_link.get(key):
                shared.update(dict.fromkeys(reached, 2 if key[0] in "^!" else 1))  # a shared place or strike counts twice
        for situation in sorted(s for s, count in shared.items() if count >= 2):  # sorted: same ties every run
            known = self._reports.setdefault(situation, {})
            if day not in known:
                known[day] = reports(m for story in self._stories_in[situation] for m in self._members.get(story, ())
                                     if self.day(m.published) == day)
            if not known[day].members:
                continue
            link = situation_link(candidate, words, situation, known[day])
            if link and (best is None or link.weight > best.weight):
                best = link
        return best

    def add(self, story: str, member: Fingerprint, situation: str | None = None) -> None:
        situation = situation or self._situation.get(story, story)
        self._place(story, situation)
        members = self._members.setdefault(story, [])
        members.append(member)
        self._link(member, situation, 1)
        if len(members) > MEMBERS:
            self._link(members.pop(1), situation, -1)  # keep the first report and the latest ones
        self._latest[story] = max(self._latest.get(story, 0.0), member.published)
        for word in _keys(member):
            self._by_word.setdefault(word, set()).add(story)

    def set_members(self, story: str, members: list[Fingerprint], situation: str | None = None) -> None:
        """A story's members (and situation) as the store holds them (another worker may have added to it)."""
        self._drop(story)
        for member in members:
            self.add(story, member, situation)

    def _place(self, story: str, situation: str) -> None:
        previous = self._situation.get(story)
        self._reports.pop(situation, None)  # its reports change, and those of the one the story leaves
        if previous == situation:
            return
        self._reports.pop(previous, None)
        if previous is not None:
            self._stories_in.get(previous, set()).discard(story)
            for member in self._members.get(story, ()):
                self._link(member, previous, -1)
                self._link(member, situation, 1)
        self._situation[story] = situation
        self._stories_in.setdefault(situation, set()).add(story)

    def _link(self, member: Fingerprint, situation: str, step: int) -> None:
        """Count a report's link keys in (or out of) its situation."""
        for key in link_keys(member):
            counts = self._by_link.setdefault(key, {})
            if (count := counts.get(situation, 0) + step) > 0:
                counts[situation] = count
            else:
                del counts[situation]
                if not counts:
                    del self._by_link[key]

    def members(self, story: str) -> list[Fingerprint]:
        return list(self._members.get(story, ()))

    def forget_before(self, moment: float) -> None:
        """Stories whose latest report is older than ``moment`` can no longer be joined."""
        for story in [s for s, latest in self._latest.items() if latest < moment]:
            self._drop(story)

    def _drop(self, story: str) -> None:
        situation = self._situation.pop(story, None)
        for member in self._members.pop(story, ()):
            for word in _keys(member):
                self._by_word.get(word, set()).discard(story)
            if situation is not None:
                self._link(member, situation, -1)
        self._latest.pop(story, None)
        self._reports.pop(situation, None)
        if situation is not None:
            stories = self._stories_in.get(situation, set())
            stories.discard(story)
            if not stories:
                self._stories_in.pop(situation, None)

    def _candidates(self, candidate: Fingerprint) -> set[str]:
        found: set[str] = set()
        for word in _keys(candidate):
            found |= self._by_word.get(word, set())
        return found


def _keys(member: Fingerprint) -> list[str]:
    """The words that index a member: its most weighted (rarest, headline first), plus its copy sketch."""
    # concepts are too common to index by
    words = ((word, weight) for word, weight in member.vector.items() if not word.startswith("#"))
    ranked = sorted(words, key=lambda item: (-item[1], item[0]))[:INDEX_WORDS]
    return [word for word, _ in ranked] + [f"#{h}" for h in sorted(member.sketch)[:4]]
