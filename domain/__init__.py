"""The domain's facts, written once: business classes, assessment levels and dimensions, sectors, regions and
the place-name matcher, WIB, channel names and outbox kinds. Every other room imports from here; this room
imports none of them."""
