"""The officers' dashboard at /admin: the registry on web pages, served by the same app as the webhooks.

Pages are rendered on the server from Jinja2 templates in the catalogs' words; charts are SVG drawn
here. Every route checks who is asking (access.py) and reads through that officer's scope.
"""
