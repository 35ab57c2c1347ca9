"""`python -m newsearch.search`: the same as the `newsearch` command."""

from newsearch.search.cli import main

if __name__ == "__main__":
    main()
