"""Actions (ISO 9001 10.2 and 10.3): one model for the whole product, raised by hand or from any
registered source (an off-track objective, a review decision, a risk, a nonconformity, an audit
finding), tracked to closure and then checked for effectiveness by someone other than the owner.

`models` holds the data and its invariants, `sources` the registry of what may raise an action,
`services` the writes, `selectors` the reads, `views`/`api` the pages and endpoints.
"""
