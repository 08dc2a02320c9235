"""The gettext catalogs; a package only so that installing the project ships them."""
