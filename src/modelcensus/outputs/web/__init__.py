"""The web dashboard: HTML pages (``static/``) and their JSON twins, served by the API app."""
