"""Tours: one module per resource family, each calling every operation of the family once.

Each module defines ``async def tour(client, fake) -> None``. The contract test
runs every tour against the fake and checks each request and response against
the official OpenAPI spec, and that every spec operation was exercised.
"""
