"""The isolation matrix: a world of someone else's objects, every route filled from it, and the
checks that nobody else reads or changes them."""
