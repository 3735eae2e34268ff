"""The REST API: `/v1` reads golden profiles, companies, timelines and explanations; API keys guard it.

Build the app with `api.app.create_app(engine, config)`; this package's root
imports nothing heavy, so loading the configuration does not load FastAPI.
"""
