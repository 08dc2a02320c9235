"""The kinds of message the outbox sends that nobody is waiting for."""

ANNOUNCEMENT = "announcement"  # an officer's announcement to a segment of owners
SEAT = "seat"  # a seat given from a session's waiting list
REMINDER = "reminder"  # the day before a session

# Why a row was not sent, where our own code says it (any other reason is the provider's own message).
STOPPED = "stopped"  # the owner said "berhenti" before it went
ERASED = "erased"  # the owner deleted their data before it went
NO_TEMPLATE = "outside WhatsApp's 24 hours and TWILIO_ANNOUNCEMENT_CONTENT_SID is not set"
TIMED_OUT = "timed out"  # the provider did not answer in time: tried again
