"""Calendar feeds: bookings as iCalendar (RFC 5545) for people's own calendars."""
