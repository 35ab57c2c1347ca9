"""The local search page: a Flask app over the search engine, its JSON API, exports and feeds."""
