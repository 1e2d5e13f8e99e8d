"""Integrations with application frameworks, each an optional extra: ``langchain`` (a LangChain
callback handler). LlamaIndex needs none: ``openinference-instrumentation-llama-index`` inside
``session()`` is enough (README, examples/d)."""
