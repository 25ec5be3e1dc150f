"""Tables, queries and migrations. The only package that talks SQL."""
