"""People in the Django admin: nothing. Restriction and exclusion lists are managed by access managers on the
service's own pages (web/views/access.py), under the rules in people/access_lists.py; the admin site would show
every limited-access case to every administrator."""
