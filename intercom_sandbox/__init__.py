"""A local stand-in for Intercom's REST API 2.14, for tests, benchmarks and the demo.

A separate program: `app/` never imports it. Its truth is ../shared/intercom-openapi/ and
../shared/INTERCOM.md.
"""
