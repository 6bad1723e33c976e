"""Registers: small quality records kept as lists (context issues, risks, nonconformities, audit
findings, customer feedback, provider evaluations), all with the same shape of pages, API and
import.

An app declares each register once (`definition.Register`) from its AppConfig.ready(); this
package turns the declaration into the list, detail, form and import pages (`views`), the API
viewset (`api`) and the all-or-nothing spreadsheet import (`importing`). The rules of a record
stay in its model's `clean()` and its app's form, so pages, API and imports share them.
"""
