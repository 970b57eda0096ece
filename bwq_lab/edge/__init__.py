"""What the edges (pages, API, feeds, jobs' e-mails, CLI) share, so that no edge imports another:
words for refusal codes (``messages``), the one unit of work per request (``unit_of_work``)."""
