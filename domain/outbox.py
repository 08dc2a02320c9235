"""The kinds of message the outbox sends that nobody is waiting for."""

ANNOUNCEMENT = "announcement"  # an officer's announcement to a segment of owners
SEAT = "seat"  # a seat given from a session's waiting list
REMINDER = "reminder"  # the day before a session
REMINDER_WEEK = "reminder_week"  # a week before a session
SESSION_CHANGED = "session_changed"  # a session's time or place changed
EVALUATION = "evaluation"  # the morning after a session: its evaluation's first question, to those who attended
UPDATE = "pemutakhiran"  # a survey the Dinas started: "pemutakhiran data", a business's figures brought up to date
REASSESSMENT = "penilaian_ulang"  # a survey the Dinas started: the self-assessment again
NO_SHOW = "no_show"  # the morning after a session: its next sessions, to those marked absent
SESSION_CANCELLED = "session_cancelled"  # a session was cancelled: the last message about it
QUESTION_REPLY = "question_reply"  # an officer's reply to an owner's question
REPLY_WAITING = "reply_waiting"  # outside WhatsApp's 24 hours: a reply is waiting, shown when the owner writes
QUESTION_CLOSED = "question_closed"  # a question closed after a week with no word either side
QUESTIONS_DIGEST = "questions_digest"  # an officer's hourly list of new questions in their scope

# Why a row was not sent, where our own code says it (any other reason is the provider's own message).
STOPPED = "stopped"  # the owner said "berhenti" before it went
ERASED = "erased"  # the owner deleted their data before it went
SESSION_GONE = "session cancelled"  # the session it is about was cancelled before it went
NOTHING_TO_ASK = "nothing left to ask"  # a survey's message, when its owner's businesses no longer fit or closed
WITHDRAWN = "announcement cancelled"  # its officer cancelled the announcement before the time it was to go
NO_TEMPLATE = "outside WhatsApp's 24 hours and TWILIO_ANNOUNCEMENT_CONTENT_SID is not set"
TIMED_OUT = "timed out"  # the provider did not answer in time: tried again
