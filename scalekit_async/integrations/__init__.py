"""Adapters that hand Scalekit's AgentKit tools to agent frameworks (optional extras).

Each adapter lives in its own module and imports its framework only when
imported itself: ``import scalekit_async`` never loads LangChain or ADK.

- `scalekit_async.integrations.langchain` (``pip install 'scalekit-async[langchain]'``)
- `scalekit_async.integrations.google_adk` (``pip install 'scalekit-async[google-adk]'``)
"""
