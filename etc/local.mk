# Default configuration (issue 4 fills it in).
