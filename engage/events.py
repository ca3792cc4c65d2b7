"""The domain events: what the domains announce, for the parts of the service above them to answer.

A domain sends its event and does not know who listens; webhooks, notifications and the publication of the
record connect their receivers at start-up (`engage.create_app` calls each package's `subscribe`). Receivers
run at once, in the sender's transaction: what they write is committed or rolled back with the change that
caused it, and a receiver that refuses (raises) refuses the change.

Each event's sender is the object it is about; the keyword arguments are listed with the event.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

#: An engagement moved to another step. Sender: the engagement; `from_step`, `to_step` (Step).
step_changed = _events.signal("step-changed")

#: Both parties signed an agreement, which is now in force. Sender: the agreement.
agreement_signed = _events.signal("agreement-signed")

#: A new numbered version of a record was published. Sender: the engagement; `number`, `change_note`,
#: `published_at`, and `version` (the PublishedVersion, added to the session but perhaps not yet flushed).
record_published = _events.signal("record-published")

#: A commitment was added, changed or updated: the public record must say so in a new version. Sender: the
#: engagement; `actor` (User), `change_note`.
commitment_changed = _events.signal("commitment-changed")

#: The link of a story output stopped working (found by the daily link check, reported once until it works
#: again). Sender: the output; `last_working` (datetime or None: never seen working), `checked_at`.
output_link_broke = _events.signal("output-link-broke")

#: A flush wrote rows residents can see that belong to these engagements (an engagement itself, or anything
#: added to one); the keys stored on them for the public lists must be worked out again, in the same
#: transaction. Sender: the session; `engagement_ids` (frozenset of ids, or None: any engagement may have
#: changed). Receivers must write through `session.connection()`, not the session, which is flushing.
engagements_flushed = _events.signal("engagements-flushed")
