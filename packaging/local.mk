# systemd user unit and Debian packaging (issue 5).
